/**
 * Runs tasks that share a key one after the other, tasks with different keys side by side. The
 * post-registration hook keys by email so that two runs for one registration (a platform retry that
 * overlaps the first run) cannot both find no contact and both create one: the second starts after
 * the first has finished, and its lookup finds the contact the first created. This holds within
 * one loaded hook; it cannot hold across Strivacity instances (see the README).
 */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<void>>();

  /** Keys with a task running or queued (for tests: the map must not grow without bound). */
  get size(): number {
    return this.#tails.size;
  }

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}
