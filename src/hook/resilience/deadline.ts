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
    const onAbort = () => reject(timeoutError(stageNow()));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
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
