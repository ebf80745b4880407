/**
 * One deadline for a whole registration: token, lookup, retries and backoff. Library timeouts are
 * not enough (msal-node's token POST has none; dynamics-web-api's `timeout` is a socket-idle timer),
 * so every wait in the hook takes this deadline's signal, and the hook races its work against it.
 */
import { HookError, type FailureStage } from '../errors.js';

export class Deadline {
  readonly signal: AbortSignal;
  readonly endsAt: number;
  readonly #controller = new AbortController();
  readonly #timer: ReturnType<typeof setTimeout>;
  readonly #now: () => number;

  constructor(timeoutMs: number, now: () => number = Date.now) {
    this.#now = now;
    this.endsAt = now() + timeoutMs;
    this.signal = this.#controller.signal;
    this.#timer = setTimeout(() => this.#controller.abort(), timeoutMs);
    // A pending deadline must never keep the runtime (or a CLI run) alive.
    this.#timer.unref?.();
  }

  remainingMs(): number {
    return Math.max(0, this.endsAt - this.#now());
  }

  /** Stops the timer once the registration is answered. */
  dispose(): void {
    clearTimeout(this.#timer);
  }
}

export function timeoutError(stage: FailureStage): HookError {
  return new HookError('timeout', 'The deadline passed before the request completed.', { stage });
}

/**
 * Callbacks to run when a signal aborts, behind one `abort` listener per signal. Node's EventTarget
 * is slow to add and remove listeners on, and a registration used to add and remove four on its
 * deadline's signal (the hook's race, the crash guard's linger and race, the limiter's queue);
 * measured in `npm run bench:warm` (docs/performance.md). A Set costs next to nothing, and the one
 * listener goes away with the signal.
 */
const abortCallbacks = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Runs `callback` once when `signal` aborts (never if it already has: check `signal.aborted`
 * first). Returns the unsubscribe function.
 */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  let callbacks = abortCallbacks.get(signal);
  if (callbacks === undefined) {
    const subscribed = new Set<() => void>();
    callbacks = subscribed;
    abortCallbacks.set(signal, subscribed);
    signal.addEventListener(
      'abort',
      () => {
        // A copy: a callback may unsubscribe another (a settled race removes its own).
        for (const run of [...subscribed]) run();
        subscribed.clear();
      },
      { once: true },
    );
  }
  callbacks.add(callback);
  const subscribed = callbacks;
  return () => {
    subscribed.delete(callback);
  };
}

/**
 * Settles with `work`, or rejects with a timeout as soon as `signal` aborts, whichever is first.
 * `work` keeps running after the timeout; it is the caller's job to have passed it the same signal.
 */
export function raceSignal<T>(work: Promise<T>, signal: AbortSignal, stage: FailureStage | (() => FailureStage)): Promise<T> {
  const stageNow = () => (typeof stage === 'function' ? stage() : stage);
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(timeoutError(stageNow()));
  }
  return new Promise<T>((resolve, reject) => {
    const unsubscribe = onAbort(signal, () => reject(timeoutError(stageNow())));
    work.then(
      (value) => {
        unsubscribe();
        resolve(value);
      },
      (error: unknown) => {
        unsubscribe();
        reject(error);
      },
    );
  });
}

/** Waits `ms`, or rejects with a timeout when `signal` aborts first. */
export function sleep(ms: number, signal: AbortSignal, stage: FailureStage): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const wait = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return raceSignal(wait, signal, stage).finally(() => clearTimeout(timer));
}
