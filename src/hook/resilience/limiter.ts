/**
 * Caps the Dataverse requests one loaded hook has in flight. Dataverse rejects a user's 53rd
 * concurrent request at once (0x80072326), and every instance of the hook shares the same
 * Application User, so each instance keeps well below that.
 */
import { type Deadline, timeoutError } from './deadline.js';
import type { FailureStage } from '../errors.js';

/** The part of a registration's deadline the limiter needs. */
export type SlotDeadline = Pick<Deadline, 'signal' | 'remainingMs'>;

interface Waiter {
  readonly deadline: SlotDeadline;
  readonly grant: () => void;
  readonly refuse: () => void;
}

export class Limiter {
  readonly #max: number;
  readonly #minStartMs: number;
  #active = 0;
  readonly #queue: Waiter[] = [];

  /**
   * @param max requests in flight at most.
   * @param minStartMs time a task needs at least: one whose deadline leaves less is not started
   *   (see `RetryPolicy.minAttemptMs` for the value the hook uses and why).
   */
  constructor(max: number, minStartMs = 0) {
    this.#max = max;
    this.#minStartMs = minStartMs;
  }

  get active(): number {
    return this.#active;
  }

  /** Requests waiting for a slot. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Runs `task` when a slot is free and the deadline still leaves `minStartMs`. Otherwise gives up
   * with a timeout without running it: at once, or, while queued, as soon as the time left drops
   * below `minStartMs` (or the deadline aborts).
   */
  async run<T>(task: () => Promise<T>, deadline: SlotDeadline, stage: FailureStage): Promise<T> {
    await this.#acquire(deadline, stage);
    try {
      return await task();
    } finally {
      this.#release();
    }
  }

  #canStart(deadline: SlotDeadline): boolean {
    return !deadline.signal.aborted && deadline.remainingMs() >= this.#minStartMs;
  }

  #acquire(deadline: SlotDeadline, stage: FailureStage): Promise<void> {
    if (!this.#canStart(deadline)) return Promise.reject(timeoutError(stage));
    if (this.#active < this.#max) {
      this.#active += 1;
      return Promise.resolve();
    }
    const { signal } = deadline;
    return new Promise<void>((resolve, reject) => {
      const settle = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', leave);
      };
      const waiter: Waiter = {
        deadline,
        grant: () => {
          settle();
          this.#active += 1;
          resolve();
        },
        refuse: () => {
          settle();
          reject(timeoutError(stage));
        },
      };
      const leave = () => {
        const index = this.#queue.indexOf(waiter);
        if (index >= 0) this.#queue.splice(index, 1);
        waiter.refuse();
      };
      // Leave the queue once the deadline can no longer cover a task: no slot could be used from
      // then on, and the registration is answered now rather than at its deadline, which in a burst
      // also spreads the work of answering the queued ones away from the in-flight ones' deadlines.
      const timer = setTimeout(leave, deadline.remainingMs() - this.#minStartMs);
      // Like the deadline's own timer, this one must never keep the runtime alive.
      timer.unref?.();
      signal.addEventListener('abort', leave, { once: true });
      this.#queue.push(waiter);
    });
  }

  #release(): void {
    this.#active -= 1;
    // The slot goes to the first waiter whose deadline can still cover a request. The ones ahead of
    // it cannot, and leave the queue now: in a burst on a hanging Dataverse they all arrived with the
    // registration whose deadline just freed this slot, and each would otherwise open a connection
    // only to abort it a moment later (measured: 400 connections for 400 registrations).
    for (let waiter = this.#queue.shift(); waiter !== undefined; waiter = this.#queue.shift()) {
      if (this.#canStart(waiter.deadline)) {
        waiter.grant();
        return;
      }
      waiter.refuse();
    }
  }
}
