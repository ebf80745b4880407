import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Deadline, raceSignal, sleep, timeoutError } from '../../../src/hook/resilience/deadline.js';
import { HookError } from '../../../src/hook/errors.js';

const TIMEOUT = { name: 'HookError', code: 'timeout', message: 'The deadline passed before the request completed.' };

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

/**
 * Timers as a runtime without Node's timer objects gives them (a browser, some embedders): plain
 * numbers, with no `unref`. Built on the timers in place (call after `vi.useFakeTimers()`).
 */
function useNumericTimers(): void {
  const { setTimeout: set, clearTimeout: clear } = globalThis;
  const handles = new Map<number, ReturnType<typeof setTimeout>>();
  let next = 1;
  vi.stubGlobal('setTimeout', (callback: () => void, ms?: number) => {
    const id = next++;
    handles.set(id, set(callback, ms));
    return id;
  });
  vi.stubGlobal('clearTimeout', (id: number) => clear(handles.get(id)));
}

describe('Deadline', () => {
  it('counts the remaining time down on its clock, never below zero', () => {
    let now = 1_000;
    const deadline = new Deadline(500, () => now);
    expect(deadline.endsAt).toBe(1_500);
    expect(deadline.remainingMs()).toBe(500);
    now = 1_300;
    expect(deadline.remainingMs()).toBe(200);
    now = 9_000;
    expect(deadline.remainingMs()).toBe(0);
    deadline.dispose();
  });

  it('aborts its signal when the time is up, not before', () => {
    vi.useFakeTimers();
    const deadline = new Deadline(500);
    vi.advanceTimersByTime(499);
    expect(deadline.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(deadline.signal.aborted).toBe(true);
  });

  it('never aborts once disposed', () => {
    vi.useFakeTimers();
    const deadline = new Deadline(500);
    deadline.dispose();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1_000);
    expect(deadline.signal.aborted).toBe(false);
  });

  it('does not keep the process alive: its timer is unref’d', () => {
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    const deadline = new Deadline(60_000);
    const timer = setTimeoutSpy.mock.results[0]?.value as NodeJS.Timeout;
    expect(setTimeoutSpy).toHaveBeenCalledOnce();
    expect(timer.hasRef()).toBe(false);
    deadline.dispose();
  });

  it('works where timers are plain numbers, without unref', () => {
    vi.useFakeTimers();
    useNumericTimers();
    const deadline = new Deadline(500);
    vi.advanceTimersByTime(499);
    expect(deadline.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(deadline.signal.aborted).toBe(true);
  });
});

describe('timeoutError', () => {
  it('is a HookError timeout at the given stage, with fixed text', () => {
    const error = timeoutError('token');
    expect(error).toBeInstanceOf(HookError);
    expect(error).toMatchObject({ ...TIMEOUT, stage: 'token' });
  });
});

describe('raceSignal', () => {
  it('settles with the work when it finishes first, and stops listening', async () => {
    const controller = new AbortController();
    await expect(raceSignal(Promise.resolve('contacts'), controller.signal, 'dataverse')).resolves.toBe('contacts');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('passes the work’s own failure on unchanged, and stops listening', async () => {
    const controller = new AbortController();
    const failure = new HookError('server', 'Dataverse failed the request.', { stage: 'dataverse', status: 500 });
    await expect(raceSignal(Promise.reject(failure), controller.signal, 'dataverse')).rejects.toBe(failure);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('rejects with a timeout as soon as the signal aborts, while the work is still running, and stops listening', async () => {
    const controller = new AbortController();
    const raced = raceSignal(new Promise<never>(() => undefined), controller.signal, 'token');
    controller.abort();
    await expect(raced).rejects.toMatchObject({ ...TIMEOUT, stage: 'token' });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('rejects at once when the signal has already aborted, and swallows the work’s later failure', async () => {
    let failWork!: (error: Error) => void;
    const work = new Promise<never>((_resolve, reject) => {
      failWork = reject;
    });
    await expect(raceSignal(work, AbortSignal.abort(), 'dataverse')).rejects.toMatchObject({ ...TIMEOUT, stage: 'dataverse' });
    // Without the swallow this would be an unhandled rejection, which fails the test run.
    failWork(new Error('socket hang up'));
    await new Promise<void>((resolve) => setImmediate(resolve));
  });
});

describe('sleep', () => {
  it('resolves after the given time', async () => {
    vi.useFakeTimers();
    let done = false;
    const slept = sleep(100, new AbortController().signal, 'dataverse').then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(99);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await slept;
    expect(done).toBe(true);
  });

  it('rejects with a timeout when the signal aborts first, and clears its timer', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const slept = sleep(10_000, controller.signal, 'dataverse');
    expect(vi.getTimerCount()).toBe(1);
    controller.abort();
    await expect(slept).rejects.toMatchObject({ ...TIMEOUT, stage: 'dataverse' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects at once on an aborted signal and leaves no timer behind', async () => {
    vi.useFakeTimers();
    await expect(sleep(10_000, AbortSignal.abort(), 'token')).rejects.toMatchObject({ ...TIMEOUT, stage: 'token' });
    expect(vi.getTimerCount()).toBe(0);
  });
});
