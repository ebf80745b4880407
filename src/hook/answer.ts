/**
 * Exactly one answer per registration. Strivacity gives the hook two callbacks, `callback` (allow,
 * show a message) and `error` (deny); whatever happens, one of them is called once.
 */
import type { LogFields, Logger } from './log.js';

export type Callback = (result: unknown) => unknown;

export interface Answer {
  /** Calls `callback(result)`; false if an answer was already given. */
  allow(result: unknown): boolean;
  /** Calls `error(result)`, or `callback(fallback)` if the runtime passed no `error` function. */
  deny(result: unknown, fallback: () => unknown): boolean;
  readonly answered: boolean;
}

/**
 * Calls a function the runtime gave us. A throw, or a rejection of the promise it returns (an async
 * callback), is logged and never propagated: the answer was given, and nothing here may throw or
 * leave an unhandled rejection in the runtime.
 */
export function callRuntime(target: (...args: unknown[]) => unknown, args: readonly unknown[], log: Logger, fields: LogFields = {}): void {
  try {
    const returned = target(...args);
    if (typeof (returned as PromiseLike<unknown> | undefined)?.then === 'function') {
      (returned as PromiseLike<unknown>).then(undefined, () => log.error('hook.callback_threw', fields));
    }
  } catch {
    log.error('hook.callback_threw', fields);
  }
}

export function answerOnce(callback: unknown, error: unknown, log: Logger): Answer {
  let answered = false;
  const call = (target: unknown, result: unknown): boolean => {
    if (answered) return false;
    answered = true;
    if (typeof target === 'function') callRuntime(target as Callback, [result], log);
    else log.error('hook.no_callback');
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
