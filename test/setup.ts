/**
 * Loaded before every test file. nock first, then `syncBuiltinESMExports()`: dynamics-web-api's ESM
 * build does `import * as https from "https"`, a namespace that monkey-patching does not reach if it
 * was created before nock loaded; without this an unmocked request would go to the real network.
 */
import { syncBuiltinESMExports } from 'node:module';
import nock from 'nock';
import { afterEach } from 'vitest';

syncBuiltinESMExports();
nock.disableNetConnect();

afterEach(() => {
  nock.cleanAll();
  nock.abortPendingRequests();
});
