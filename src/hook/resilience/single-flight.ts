/**
 * Concurrent work for one key shares one run: the first caller starts it, callers that arrive
 * while it runs get the same promise, and the key is forgotten once it settles (nothing is cached).
 * The login gate keys by the person signing in, so a double click or a few tabs cost one lookup.
 * Unlike `KeyedLock`, which queues tasks for a key one after the other, this one never runs a
 * second task while the first is in flight.
 */
export class SingleFlight<T> {
  readonly #running = new Map<string, Promise<T>>();

  /** Keys with a run in flight (for tests: the map must not grow without bound). */
  get size(): number {
    return this.#running.size;
  }

  /** The run in flight for `key`, or a new run of `task`; `joined` says which. */
  run(key: string, task: () => Promise<T>): { readonly result: Promise<T>; readonly joined: boolean } {
    const running = this.#running.get(key);
    if (running !== undefined) return { result: running, joined: true };
    // Through an async function: a task that throws before its first await still rejects, never throws.
    const result = (async () => task())();
    this.#running.set(key, result);
    const forget = () => {
      if (this.#running.get(key) === result) this.#running.delete(key);
    };
    result.then(forget, forget);
    return { result, joined: false };
  }
}
