import { describe, expect, it, vi } from 'vitest';
import { answerOnce } from '../../src/hook/answer.js';
import { createLogger, type LogLine } from '../../src/hook/log.js';

function capturedLog(): { lines: LogLine[]; log: ReturnType<typeof createLogger> } {
  const lines: LogLine[] = [];
  return { lines, log: createLogger('debug', (line) => lines.push(line)) };
}

describe('answerOnce', () => {
  it('allow calls callback once with the result', () => {
    const callback = vi.fn();
    const error = vi.fn();
    const answer = answerOnce(callback, error, capturedLog().log);
    expect(answer.answered).toBe(false);
    expect(answer.allow('result')).toBe(true);
    expect(callback).toHaveBeenCalledExactlyOnceWith('result');
    expect(error).not.toHaveBeenCalled();
    expect(answer.answered).toBe(true);
  });

  it.each([
    ['nothing', undefined],
    ['null', null],
    ['an object whose then is not a function', { then: 'not a function' }],
  ])('logs nothing when the callback returns %s', (_label, returned) => {
    const { lines, log } = capturedLog();
    expect(answerOnce(() => returned, vi.fn(), log).allow('result')).toBe(true);
    expect(lines).toEqual([]);
  });

  it('deny calls error once with the deny object, not the fallback', () => {
    const callback = vi.fn();
    const error = vi.fn();
    const fallback = vi.fn(() => 'shown instead');
    expect(answerOnce(callback, error, capturedLog().log).deny('denied', fallback)).toBe(true);
    expect(error).toHaveBeenCalledExactlyOnceWith('denied');
    expect(callback).not.toHaveBeenCalled();
    expect(fallback).not.toHaveBeenCalled();
  });

  it('answers only the first time, whichever way is asked later', () => {
    const callback = vi.fn();
    const error = vi.fn();
    const answer = answerOnce(callback, error, capturedLog().log);
    expect(answer.allow('first')).toBe(true);
    expect(answer.allow('second')).toBe(false);
    expect(answer.deny('third', () => 'fallback')).toBe(false);
    expect(callback).toHaveBeenCalledExactlyOnceWith('first');
    expect(error).not.toHaveBeenCalled();
  });

  it('does not allow after a deny', () => {
    const callback = vi.fn();
    const error = vi.fn();
    const answer = answerOnce(callback, error, capturedLog().log);
    answer.deny('denied', () => 'fallback');
    expect(answer.allow('late')).toBe(false);
    expect(callback).not.toHaveBeenCalled();
    expect(error).toHaveBeenCalledOnce();
  });

  it('falls back to callback(fallback) when the runtime passed no error function', () => {
    const callback = vi.fn();
    const answer = answerOnce(callback, undefined, capturedLog().log);
    expect(answer.deny('denied', () => 'shown instead')).toBe(true);
    expect(callback).toHaveBeenCalledExactlyOnceWith('shown instead');
  });

  it('logs, and does not throw, when the callback throws; the answer still counts as given', () => {
    const { lines, log } = capturedLog();
    const callback = vi.fn(() => {
      throw new Error('runtime exploded');
    });
    const answer = answerOnce(callback, vi.fn(), log);
    expect(() => answer.allow('result')).not.toThrow();
    expect(answer.answered).toBe(true);
    expect(answer.allow('again')).toBe(false);
    expect(callback).toHaveBeenCalledOnce();
    expect(lines).toEqual([{ level: 'error', event: 'hook.callback_threw' }]);
  });

  it('logs, and does not throw, when the error function throws', () => {
    const { lines, log } = capturedLog();
    const answer = answerOnce(
      vi.fn(),
      () => {
        throw new TypeError('not a constructor');
      },
      log,
    );
    expect(() => answer.deny('denied', () => 'fallback')).not.toThrow();
    expect(lines).toEqual([{ level: 'error', event: 'hook.callback_threw' }]);
  });

  it('logs, and leaves no unhandled rejection, when an async callback rejects', async () => {
    const { lines, log } = capturedLog();
    const answer = answerOnce(() => Promise.reject(new Error('runtime exploded later')), vi.fn(), log);
    expect(answer.allow('result')).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual([{ level: 'error', event: 'hook.callback_threw' }]);
  });

  it('logs a missing callback instead of throwing', () => {
    const { lines, log } = capturedLog();
    const answer = answerOnce(undefined, undefined, log);
    expect(answer.allow('result')).toBe(true);
    expect(answer.answered).toBe(true);
    expect(lines).toEqual([{ level: 'error', event: 'hook.no_callback' }]);
  });
});
