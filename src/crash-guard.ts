/**
 * Survives the one exception nobody can catch.
 *
 * dynamics-web-api 2.5.0 parses a 2xx JSON body inside its response `end` listener
 * (`_executeRequest` -> `parseResponse` -> `JSON.parse`, dist/cjs/dynamics-web-api.js). A malformed
 * body therefore throws from an event listener, outside any promise: the request's promise never
 * settles and the exception is uncaught, which by default ends the process together with every
 * registration in flight. The library has no transport or parser seam to intercept it.
 *
 * So, only while a Dataverse request of ours is in flight, the guard sees uncaught exceptions first
 * (`process.setUncaughtExceptionCaptureCallback`, which, unlike an `uncaughtException` listener,
 * keeps the error from every other handler). It recognises exactly that error (a SyntaxError thrown
 * by dynamics-web-api's response parser), turns it into a `bad_response` failure of the request it
 * belongs to (found through AsyncLocalStorage, which follows the response's async context back to
 * our call) and swallows it. Any other error is handed on unchanged: to the process's
 * `uncaughtException` listeners if there are any, else rethrown for Node's default crash.
 * If another component already holds the capture callback (e.g. `domain`), the guard falls back to
 * an `uncaughtException` listener.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { raceSignal } from './deadline.js';
import { HookError } from './errors.js';

type Reject = (error: HookError) => void;

const owner = new AsyncLocalStorage<Reject>();
let inFlight = 0;
let mode: 'capture' | 'listener' | undefined;

/** The exact signature of the crash: a JSON SyntaxError raised from dynamics-web-api's parser. */
export function isMalformedBodyCrash(error: unknown): boolean {
  return (
    error instanceof SyntaxError &&
    typeof error.stack === 'string' &&
    error.stack.includes('dynamics-web-api') &&
    /\b(handleJsonResponse|parseResponse)\b/.test(error.stack)
  );
}

/** Returns true when the error was ours and has been dealt with. */
function absorb(error: unknown): boolean {
  if (!isMalformedBodyCrash(error)) return false;
  owner.getStore()?.(new HookError('bad_response', 'Dataverse returned a malformed response body.', { stage: 'dataverse' }));
  return true;
}

function capture(error: unknown): void {
  if (absorb(error)) return;
  if (process.listenerCount('uncaughtException') > 0) {
    (process.emit as (event: string, ...args: unknown[]) => boolean)('uncaughtException', error, 'uncaughtException');
    return;
  }
  uninstall();
  process.nextTick(() => {
    throw error;
  });
}

function listen(error: unknown): void {
  absorb(error);
}

function install(): void {
  if (process.hasUncaughtExceptionCaptureCallback()) {
    process.on('uncaughtException', listen);
    mode = 'listener';
  } else {
    process.setUncaughtExceptionCaptureCallback(capture);
    mode = 'capture';
  }
}

function uninstall(): void {
  if (mode === 'capture') process.setUncaughtExceptionCaptureCallback(null);
  if (mode === 'listener') process.removeListener('uncaughtException', listen);
  mode = undefined;
}

/**
 * Runs a dynamics-web-api call with the guard installed; a malformed body rejects it as
 * `bad_response`. It also settles when `signal` aborts: dynamics-web-api listens for errors on the
 * request but not on the response, so a connection reset mid-body leaves its promise pending forever
 * (seen with a local server on Node 20), and nothing may wait on it past the deadline.
 */
export function withMalformedBodyGuard<T>(call: () => Promise<T>, signal: AbortSignal): Promise<T> {
  if (inFlight++ === 0 || mode === undefined) install();
  const guarded = new Promise<T>((resolve, reject) => {
    owner.run(reject, () => {
      call().then(resolve, reject);
    });
  });
  return raceSignal(guarded, signal, 'dataverse').finally(() => {
    if (--inFlight === 0 && mode !== undefined) uninstall();
  });
}
