/**
 * How long the OS kept this process waiting for a CPU that other processes held (Linux
 * `schedstat`, second field of the main thread's, in ns): time that passes on the clock but is not
 * the hook's own. On a 2-core machine shared with other jobs it reaches hundreds of milliseconds in
 * a 1.5 s registration; it is about 0 on an idle machine, and always 0 where `/proc` is missing.
 */
import { readFileSync } from 'node:fs';

export function runQueueWaitMs(): number {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ');
    return Number(fields[1]) / 1e6 || 0;
  } catch {
    return 0;
  }
}

/**
 * Starts measuring at `fromMs` (the point after which a wait could delay the answer, e.g. 150 ms
 * before the deadline); `stop()` returns the run-queue wait since then, 0 if `fromMs` was not reached.
 */
export function measureRunQueueWait(fromMs: number): { stop: () => number } {
  let from: number | undefined;
  const timer = setTimeout(() => (from = runQueueWaitMs()), Math.max(0, fromMs));
  return {
    stop: () => {
      clearTimeout(timer);
      return from === undefined ? 0 : runQueueWaitMs() - from;
    },
  };
}
