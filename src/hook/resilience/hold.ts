/**
 * The shared hold after Dataverse's 429. Service protection counts per application user, and every
 * registration and sign-in of a loaded hook is that one user: once Dataverse answered 429 with
 * `Retry-After`, any request started before that time only adds to the count and earns another
 * 429. So no Dataverse request starts in the loaded hook until the hold ends; work whose deadline
 * ends inside the hold is refused at once, as `throttled`, without a request.
 * https://learn.microsoft.com/power-apps/developer/data-platform/api-limits#retry-operations
 */
import { HookError } from '../errors.js';
import { type Deadline, sleep } from './deadline.js';

export class ThrottleHold {
  readonly #now: () => number;
  readonly #minStartMs: number;
  #endsAt = 0;

  /**
   * @param minStartMs time a request needs at least after the hold (as `RetryPolicy.minAttemptMs`):
   *   work left with less than that when the hold ends is refused now.
   */
  constructor(minStartMs = 0, now: () => number = Date.now) {
    this.#minStartMs = minStartMs;
    this.#now = now;
  }

  /** Milliseconds until requests may start again; 0 when there is no hold. */
  remainingMs(): number {
    return Math.max(0, this.#endsAt - this.#now());
  }

  /** Dataverse asked for `retryAfterMs`: the hold lasts at least that long from now (never shortened). */
  extend(retryAfterMs: number): void {
    this.#endsAt = Math.max(this.#endsAt, this.#now() + retryAfterMs);
  }

  /**
   * Resolves when a request may start: at once without a hold, else when it ends. Rejects with
   * `throttled` at once when the hold outlasts what `deadline` leaves for a request.
   */
  async pass(deadline: Pick<Deadline, 'signal' | 'remainingMs'>): Promise<void> {
    for (let waitMs = this.remainingMs(); waitMs > 0; waitMs = this.remainingMs()) {
      if (waitMs + this.#minStartMs > deadline.remainingMs()) throw heldError(waitMs);
      await sleep(waitMs, deadline.signal, 'dataverse');
    }
  }
}

function heldError(retryAfterMs: number): HookError {
  return new HookError('throttled', 'Dataverse requests are on hold after a 429.', { stage: 'dataverse', retryAfterMs });
}
