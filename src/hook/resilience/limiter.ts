/**
 * Caps the Dataverse requests one loaded hook has in flight. Dataverse rejects a user's 53rd
 * concurrent request at once (0x80072326), and every instance of the hook shares the same
 * Application User, so each instance keeps well below that.
 */
import { type Deadline, onAbort, timeoutError } from './deadline.js';
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
  run<T>(task: () => Promise<T>, deadline: SlotDeadline, stage: FailureStage): Promise<T> {
    if (!this.#canStart(deadline)) return Promise.reject(timeoutError(stage));
    // The warm path: a free slot is taken at once, without a queue entry or a promise of its own.
    if (this.#active < this.#max) {
      this.#active += 1;
      return this.#runInSlot(task);
    }
    return this.#queueFor(deadline, stage).then(() => this.#runInSlot(task));
  }

  /** Runs `task` in a slot already taken, and gives the slot back however it ends. */
  #runInSlot<T>(task: () => Promise<T>): Promise<T> {
    let pending: Promise<T>;
    try {
      pending = task();
    } catch (error) {
      this.#release();
      return Promise.reject(error as Error);
    }
    return pending.then(
      (value) => {
        this.#release();
        return value;
      },
      (error: unknown) => {
        this.#release();
        throw error;
      },
    );
  }

  #canStart(deadline: SlotDeadline): boolean {
    return !deadline.signal.aborted && deadline.remainingMs() >= this.#minStartMs;
  }

  /** Waits in the queue for a slot (taken for the caller when granted). */
  #queueFor(deadline: SlotDeadline, stage: FailureStage): Promise<void> {
    const { signal } = deadline;
    return new Promise<void>((resolve, reject) => {
      const settle = () => {
        clearTimeout(timer);
        unsubscribe();
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
      const unsubscribe = onAbort(signal, leave);
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
