/**
 * Retries for transient failures (429, 5xx, resets) that never outlive the deadline. Dataverse's
 * service-protection 429 carries `Retry-After` in seconds; a wait that does not fit in the time
 * left is not started: the failure is returned at once so the hook can answer.
 * https://learn.microsoft.com/power-apps/developer/data-platform/api-limits#retry-operations
 */
import { type Deadline, sleep, timeoutError } from './deadline.js';
import { type HookError, isTransient } from '../errors.js';

export interface RetryPolicy {
  /** Attempts in total, the first included. */
  readonly maxAttempts: number;
  /** First backoff; doubled each retry, with +-50 % jitter. */
  readonly baseDelayMs: number;
  /**
   * Time an attempt needs at least. No attempt starts with less left on the deadline: not the
   * first (the limiter refuses it, queued or not), and no retry (its wait is not started).
   */
  readonly minAttemptMs: number;
  readonly random: () => number;
}

/**
 * `minAttemptMs: 100`: a lookup on a warm connection to Dataverse takes tens of milliseconds, and a
 * new connection adds TCP and TLS round trips; with less than 100 ms left an attempt would most
 * likely be aborted by the deadline, having cost a connection, a request counted against the
 * service-protection limits and CPU time, in the very burst that starved it of time. 100 ms is
 * also half the smallest `timeoutMs` (200), so it never refuses a registration that was not kept
 * waiting.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 100, minAttemptMs: 100, random: Math.random };

/** Counts attempts so the caller can log them whether the call succeeded or not. */
export interface AttemptCounter {
  attempts: number;
}

export async function withRetries<T>(
  attempt: (signal: AbortSignal) => Promise<T>,
  classify: (error: unknown) => HookError,
  deadline: Deadline,
  counter: AttemptCounter,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): Promise<T> {
  for (;;) {
    counter.attempts += 1;
    let failure: HookError;
    try {
      return await attempt(deadline.signal);
    } catch (error) {
      failure = classify(error);
      // Whatever the library made of an abort (AbortError, socket hang up), it is the deadline.
      if (deadline.signal.aborted && failure.code !== 'timeout') failure = timeoutError(failure.stage);
    }
    const delayMs = retryDelayMs(failure, counter.attempts, policy);
    if (delayMs === undefined || delayMs + policy.minAttemptMs > deadline.remainingMs()) throw failure;
    await sleep(delayMs, deadline.signal, failure.stage);
  }
}

/** The wait before the next attempt, or `undefined` when the failure is not worth another one. */
export function retryDelayMs(failure: HookError, attemptsSoFar: number, policy: RetryPolicy): number | undefined {
  if (!isTransient(failure) || attemptsSoFar >= policy.maxAttempts) return undefined;
  // Token failures are not retried per registration: the token source's single flight already
  // shares one Entra request among every registration waiting, and a retry by each of them would
  // multiply requests during an Entra outage (measured: 67 token requests for 50 registrations).
  // The next registration starts a fresh request.
  if (failure.stage === 'token') return undefined;
  if (failure.retryAfterMs !== undefined) return failure.retryAfterMs;
  const backoffMs = policy.baseDelayMs * 2 ** (attemptsSoFar - 1);
  return Math.round(backoffMs * (0.5 + policy.random()));
}
