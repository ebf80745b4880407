/**
 * The clock for latency figures. `performance` is a host global, not part of JavaScript: a runtime
 * that evaluates the hook in a realm of its own may not provide it (issue 17), and a global read
 * that throws before the hook's `try` leaves Strivacity without an answer. `Date` is JavaScript's
 * own and exists in every realm; it is only used when `performance.now` cannot be read.
 */
export function nowMs(): number {
  try {
    const clock = (globalThis as { performance?: { now?: unknown } }).performance;
    if (typeof clock?.now === 'function') return (clock.now as () => number).call(clock);
  } catch {
    // A getter that throws is a missing clock.
  }
  return Date.now();
}
