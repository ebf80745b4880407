/**
 * Loaded before every test file. nock first, then `syncBuiltinESMExports()`: dynamics-web-api's ESM
 * build does `import * as https from "https"`, a namespace that monkey-patching does not reach if it
 * was created before nock loaded; without this an unmocked request would go to the real network.
 */
import type { ClientRequest } from 'node:http';
import { syncBuiltinESMExports } from 'node:module';
import nock from 'nock';
import { afterEach } from 'vitest';

syncBuiltinESMExports();
nock.disableNetConnect();

/**
 * nock refuses a request to a mocked host that no interceptor matches (say, a retry the test did not
 * arrange) with an error carrying `status: 404` (lib/intercepted_request_router.js). dynamics-web-api
 * hands request errors on unchanged, so the hook would read it as Dataverse answering 404 and log
 * `not_found`: a test passing or failing for a reason that is not Dataverse's (issue 17, the flaky
 * "connection reset mid-response"). The status is removed before the error reaches the request, so
 * an unexpected request reads as what it is: no answer at all (`internal` in the hook's log).
 */
nock.emitter.on('no match', (req: ClientRequest) => {
  if (typeof req.destroy !== 'function') return;
  const destroy = req.destroy.bind(req);
  req.destroy = (error?: Error) => {
    if ((error as { code?: unknown } | undefined)?.code === 'ERR_NOCK_NO_MATCH') {
      delete (error as { status?: unknown }).status;
      delete (error as { statusCode?: unknown }).statusCode;
    }
    return destroy(error);
  };
});

afterEach(() => {
  nock.cleanAll();
  nock.abortPendingRequests();
});
