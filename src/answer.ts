/**
 * Exactly one answer per registration. Strivacity gives the hook two callbacks, `callback` (allow,
 * show a message) and `error` (deny); whatever happens, one of them is called once.
 */
import type { Logger } from './log.js';

export type Callback = (result: unknown) => unknown;

export interface Answer {
  /** Calls `callback(result)`; false if an answer was already given. */
  allow(result: unknown): boolean;
  /** Calls `error(result)`, or `callback(fallback)` if the runtime passed no `error` function. */
  deny(result: unknown, fallback: () => unknown): boolean;
  readonly answered: boolean;
}

export function answerOnce(callback: unknown, error: unknown, log: Logger): Answer {
  let answered = false;
  const call = (target: unknown, result: unknown): boolean => {
    if (answered) return false;
    answered = true;
    if (typeof target !== 'function') {
      log.error('hook.no_callback');
      return true;
    }
    try {
      const returned = (target as Callback)(result);
      // An async callback that rejects must not become an unhandled rejection in the runtime.
      if (typeof (returned as PromiseLike<unknown> | undefined)?.then === 'function') {
        (returned as PromiseLike<unknown>).then(undefined, () => log.error('hook.callback_threw'));
      }
    } catch {
      // The runtime's own callback threw; the answer was given, and nothing here may throw.
      log.error('hook.callback_threw');
    }
    return true;
  };
  return {
    allow: (result) => call(callback, result),
    deny: (result, fallback) => (typeof error === 'function' ? call(error, result) : call(callback, fallback())),
    get answered() {
      return answered;
    },
  };
}
