/**
 * Survives the exceptions nobody can catch.
 *
 * dynamics-web-api 2.5.0 reads and parses a response inside its response listeners
 * (`_executeRequest`, dist/cjs/dynamics-web-api.js: `data` does `rawData += chunk`, `end` calls
 * `parseResponse`). Whatever throws there is thrown from an event listener, outside any promise: the
 * request's promise never settles and the exception is uncaught, which by default ends the process
 * together with every registration in flight. Ordinary data reaches that code: a value holding
 * `--batchresponse_` makes `parseBatchResponse` throw a TypeError; a key shaped like an alias
 * (`firstname_x002e_y`) throws "The alias name of the linked entity must be unique!"; a malformed
 * body a SyntaxError; a deeply nested one, or one past V8's string limit, a RangeError. The library
 * has no transport or parser seam to intercept any of it.
 *
 * So each call runs in an async context of its own (AsyncLocalStorage), and while a call is in
 * flight the guard sees uncaught exceptions first. An exception raised in the context of a call in
 * flight belongs to that call, whatever its class or stack (a host may set `Error.stackTraceLimit`
 * to 0): it fails that call as `bad_response` and goes no further. Any other error is handed on
 * unchanged: to the process's `uncaughtException` listeners if there are any, else rethrown for
 * Node's default crash. How the guard sees them first:
 * - `process.setUncaughtExceptionCaptureCallback`, which, unlike an `uncaughtException` listener,
 *   keeps the error from every other handler;
 * - once anything has loaded Node's `domain` module, that setter throws
 *   (ERR_DOMAIN_CANNOT_SET_UNCAUGHT_EXCEPTION_CAPTURE) and only a domain can capture: each call then
 *   runs in a domain of its own, whose error handler is the same capture. It catches what is thrown
 *   in the call's context before any host listener or host domain does (seen on Node 20 with a host
 *   `uncaughtException` listener and with the hook called inside a host domain);
 * - if another component holds the capture callback and `domain` is not loaded, the guard stands
 *   aside and that component decides; the call still ends at the deadline.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import { raceSignal } from './deadline.js';
import { HookError } from '../errors.js';

/** One guarded call: fails it (made by the caller's copy, so the error is of its class). */
interface GuardedCall {
  fail: () => void;
  /** True until the call is released: an error in its context after that is not ours. */
  active: boolean;
}

/**
 * Process-wide state, shared by every copy of this module: a runtime that loads two built hooks
 * (pre- and post-registration) holds two bundled copies, and only one of them can own the capture
 * callback, so all copies must share one owner map and one count.
 */
interface GuardState {
  readonly owner: AsyncLocalStorage<GuardedCall>;
  /** The capture callback of the copy that created the state. */
  readonly capture: (error: unknown) => void;
  inFlight: number;
  /** True while our capture callback is installed. */
  guarding: boolean;
  /** True once `domain` was seen loaded; a loaded module stays loaded. */
  domainLoaded: boolean;
}
const STATE_KEY = Symbol.for('strivacity-dynamics-hook.crash-guard.v3');
// Kept on `process` rather than `globalThis`: a runtime may evaluate each hook in a realm (vm
// context) of its own, with its own global object, but every realm shares the one process.
const state: GuardState = ((process as unknown as Record<symbol, GuardState | undefined>)[STATE_KEY] ??= {
  owner: new AsyncLocalStorage<GuardedCall>(),
  capture,
  inFlight: 0,
  guarding: false,
  domainLoaded: false,
});

function capture(error: unknown): void {
  const call = state.owner.getStore();
  if (call?.active === true) {
    call.fail();
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

type Containment = 'capture' | 'domain' | 'none';

/** Takes the capture callback if it can; never throws, so a guard that cannot install fails nothing. */
function install(): Containment {
  if (state.guarding) return 'capture';
  if (state.domainLoaded) return 'domain';
  try {
    process.setUncaughtExceptionCaptureCallback(state.capture);
    state.guarding = true;
    return 'capture';
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code !== 'ERR_DOMAIN_CANNOT_SET_UNCAUGHT_EXCEPTION_CAPTURE') return 'none';
    state.domainLoaded = true;
    return 'domain';
  }
}

function uninstall(): void {
  if (!state.guarding) return;
  state.guarding = false;
  process.setUncaughtExceptionCaptureCallback(null);
}

/** Built-ins resolve from any path; `import.meta.url` does not exist in the CommonJS bundle. */
const requireBuiltin = createRequire(process.execPath);

/**
 * Starts `start` in a new domain whose error handler is the capture. `domain` is only required once
 * something else has loaded it: loading it changes how the whole process handles exceptions.
 */
function runInOwnDomain(start: () => void): void {
  const { create } = requireBuiltin('node:domain') as typeof import('node:domain');
  const own = create();
  own.on('error', state.capture);
  own.run(start);
}

/**
 * After the deadline aborts a request, the guard stays installed this long: an abort can end a
 * half-received body, and dynamics-web-api then parses the fragment (seen with a trickling response
 * under nock), which throws that same exception, even after its promise has settled.
 */
const LINGER_AFTER_ABORT_MS = 10_000;

/**
 * Runs a dynamics-web-api call with the guard installed; anything thrown while the library handles
 * its response rejects it as `bad_response`. It also settles when `signal` aborts: dynamics-web-api
 * listens for errors on the request but not on the response, so a connection reset mid-body leaves
 * its promise pending forever (seen with a local server on Node 20), and nothing may wait on it past
 * the deadline.
 */
export function withMalformedBodyGuard<T>(call: () => Promise<T>, signal: AbortSignal): Promise<T> {
  const containment = install();
  state.inFlight += 1;
  const guarded: GuardedCall = { fail: () => undefined, active: true };
  const release = () => {
    if (!guarded.active) return;
    guarded.active = false;
    state.inFlight -= 1;
    if (state.inFlight === 0) uninstall();
  };
  const onAbort = () => setTimeout(release, LINGER_AFTER_ABORT_MS).unref();
  const underlying = new Promise<T>((resolve, reject) => {
    guarded.fail = () => reject(new HookError('bad_response', 'Dataverse returned a response the client library could not handle.', { stage: 'dataverse' }));
    const start = () => state.owner.run(guarded, () => void call().then(resolve, reject));
    if (containment === 'domain') runInOwnDomain(start);
    else start();
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
