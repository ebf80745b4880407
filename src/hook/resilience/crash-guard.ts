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
 * If another component already holds the capture callback (the deprecated `domain` module does),
 * the guard stands aside: Node then emits no `uncaughtException` at all, so no listener could help,
 * and that component decides; a malformed body then ends at the deadline (or as it decides).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { raceSignal } from './deadline.js';
import { HookError } from '../errors.js';

/** Fails the request the error belongs to; made by the caller's copy, so the error is of its class. */
type Fail = () => void;

/**
 * Process-wide state, shared by every copy of this module: a runtime that loads two built hooks
 * (pre- and post-registration) holds two bundled copies, and only one of them can own the capture
 * callback, so all copies must share one owner map and one count.
 */
interface GuardState {
  readonly owner: AsyncLocalStorage<Fail>;
  /** The capture callback of the copy that created the state. */
  readonly capture: (error: unknown) => void;
  inFlight: number;
  /** True while our capture callback is installed. */
  guarding: boolean;
}
const STATE_KEY = Symbol.for('strivacity-dynamics-hook.crash-guard.v2');
const state: GuardState = ((globalThis as Record<symbol, GuardState | undefined>)[STATE_KEY] ??= {
  owner: new AsyncLocalStorage<Fail>(),
  capture,
  inFlight: 0,
  guarding: false,
});

/** The exact signature of the crash: a JSON SyntaxError raised from dynamics-web-api's parser. */
export function isMalformedBodyCrash(error: unknown): boolean {
  return (
    error instanceof SyntaxError &&
    typeof error.stack === 'string' &&
    error.stack.includes('dynamics-web-api') &&
    /\b(handleJsonResponse|parseResponse)\b/.test(error.stack)
  );
}

function capture(error: unknown): void {
  if (isMalformedBodyCrash(error)) {
    state.owner.getStore()?.();
    return;
  }
  if (process.listenerCount('uncaughtException') > 0) {
    (process.emit as (event: string, ...args: unknown[]) => boolean)('uncaughtException', error, 'uncaughtException');
    return;
  }
  uninstall();
  process.nextTick(() => {
    throw error;
  });
}

function install(): void {
  if (state.guarding || process.hasUncaughtExceptionCaptureCallback()) return;
  process.setUncaughtExceptionCaptureCallback(state.capture);
  state.guarding = true;
}

function uninstall(): void {
  if (!state.guarding) return;
  process.setUncaughtExceptionCaptureCallback(null);
  state.guarding = false;
}

/**
 * After the deadline aborts a request, the guard stays installed this long: an abort can end a
 * half-received body, and dynamics-web-api then parses the fragment (seen with a trickling response
 * under nock), which throws that same exception, even after its promise has settled.
 */
const LINGER_AFTER_ABORT_MS = 10_000;

/**
 * Runs a dynamics-web-api call with the guard installed; a malformed body rejects it as
 * `bad_response`. It also settles when `signal` aborts: dynamics-web-api listens for errors on the
 * request but not on the response, so a connection reset mid-body leaves its promise pending forever
 * (seen with a local server on Node 20), and nothing may wait on it past the deadline.
 */
export function withMalformedBodyGuard<T>(call: () => Promise<T>, signal: AbortSignal): Promise<T> {
  state.inFlight += 1;
  install();
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    state.inFlight -= 1;
    if (state.inFlight === 0) uninstall();
  };
  const onAbort = () => setTimeout(release, LINGER_AFTER_ABORT_MS).unref();
  const underlying = new Promise<T>((resolve, reject) => {
    const fail = () => reject(new HookError('bad_response', 'Dataverse returned a malformed response body.', { stage: 'dataverse' }));
    state.owner.run(fail, () => {
      call().then(resolve, reject);
    });
  });
  underlying.then(
    () => signal.aborted || release(),
    () => signal.aborted || release(),
  );
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return raceSignal(underlying, signal, 'dataverse').finally(() => {
    if (!signal.aborted) signal.removeEventListener('abort', onAbort);
  });
}
