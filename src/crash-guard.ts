/**
 * Survives the one exception nobody can catch.
 *
 * dynamics-web-api 2.5.0 parses a 2xx JSON body inside its response `end` listener
 * (`_executeRequest` -> `parseResponse` -> `JSON.parse`, dist/cjs/dynamics-web-api.js). A malformed
 * body therefore throws from an event listener, outside any promise: the request's promise never
 * settles and the exception is `uncaughtException`, which by default ends the process together with
 * every registration in flight. The library exposes no transport or parser seam to intercept it.
 *
 * So, only while a Dataverse request of ours is in flight, a process listener recognises exactly that
 * error (a SyntaxError thrown by dynamics-web-api's response parser), turns it into a `bad_response`
 * failure of the request it belongs to (found through AsyncLocalStorage, which follows the response's
 * async context back to our call), and swallows it. Any other uncaught exception keeps Node's default
 * outcome: if no one else listens, it is printed and the process exits with code 1.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { HookError } from './errors.js';

type Reject = (error: HookError) => void;

const owner = new AsyncLocalStorage<Reject>();
let inFlight = 0;

/** The exact signature of the crash: a JSON SyntaxError raised from dynamics-web-api's parser. */
export function isMalformedBodyCrash(error: unknown): boolean {
  return (
    error instanceof SyntaxError &&
    typeof error.stack === 'string' &&
    error.stack.includes('dynamics-web-api') &&
    /\b(handleJsonResponse|parseResponse)\b/.test(error.stack)
  );
}

function onUncaught(error: unknown): void {
  if (isMalformedBodyCrash(error)) {
    owner.getStore()?.(new HookError('bad_response', 'Dataverse returned a malformed response body.', { stage: 'dataverse' }));
    return;
  }
  if (process.listenerCount('uncaughtException') > 1) return; // someone else decides
  console.error(error);
  process.exit(1);
}

/** Runs a dynamics-web-api call with the guard installed; a malformed body rejects it as `bad_response`. */
export function withMalformedBodyGuard<T>(call: () => Promise<T>): Promise<T> {
  if (inFlight++ === 0) process.on('uncaughtException', onUncaught);
  return new Promise<T>((resolve, reject) => {
    owner.run(reject, () => {
      call().then(resolve, reject);
    });
  }).finally(() => {
    if (--inFlight === 0) process.removeListener('uncaughtException', onUncaught);
  });
}
