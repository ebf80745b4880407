/**
 * Caps the Dataverse requests one loaded hook has in flight. Dataverse rejects a user's 53rd
 * concurrent request at once (0x80072326), and every instance of the hook shares the same
 * Application User, so each instance keeps well below that.
 */
import { timeoutError } from './deadline.js';
import type { FailureStage } from '../errors.js';

export class Limiter {
  readonly #max: number;
  #active = 0;
  readonly #queue: Array<() => void> = [];

  constructor(max: number) {
    this.#max = max;
  }

  get active(): number {
    return this.#active;
  }

  /** Runs `task` when a slot is free; gives up with a timeout if `signal` aborts while queued. */
  async run<T>(task: () => Promise<T>, signal: AbortSignal, stage: FailureStage): Promise<T> {
    await this.#acquire(signal, stage);
    try {
      return await task();
    } finally {
      this.#release();
    }
  }

  #acquire(signal: AbortSignal, stage: FailureStage): Promise<void> {
    if (signal.aborted) return Promise.reject(timeoutError(stage));
    if (this.#active < this.#max) {
      this.#active += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal.removeEventListener('abort', onAbort);
        this.#active += 1;
        resolve();
      };
      const onAbort = () => {
        const index = this.#queue.indexOf(grant);
        if (index >= 0) this.#queue.splice(index, 1);
        reject(timeoutError(stage));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(grant);
    });
  }

  #release(): void {
    this.#active -= 1;
    this.#queue.shift()?.();
  }
}
