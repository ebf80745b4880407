import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Limiter, type SlotDeadline } from '../../../src/hook/resilience/limiter.js';

/** A task the test finishes by hand, recording when it started. */
function controlled(started: string[], name: string): { task: () => Promise<string>; finish: () => void; fail: () => void } {
  let finish!: () => void;
  let fail!: () => void;
  const done = new Promise<string>((resolve, reject) => {
    finish = () => resolve(name);
    fail = () => reject(new Error(`${name} failed`));
  });
  return {
    task: () => {
      started.push(name);
      return done;
    },
    finish,
    fail,
  };
}

/** Lets every pending promise callback run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
/** A deadline `timeLeftMs` from now (by the clock, real or fake), aborted only through `signal`. */
function deadlineIn(timeLeftMs: number, signal = new AbortController().signal): SlotDeadline {
  const endsAt = Date.now() + timeLeftMs;
  return { signal, remainingMs: () => Math.max(0, endsAt - Date.now()) };
}
const never = deadlineIn(60_000);

describe('Limiter', () => {
  it('runs at most max tasks at once and starts the rest in arrival order as slots free up', async () => {
    const limiter = new Limiter(2);
    const started: string[] = [];
    const tasks = ['a', 'b', 'c', 'd', 'e'].map((name) => controlled(started, name));
    const results = tasks.map((t) => limiter.run(t.task, never, 'dataverse'));
    await settle();
    expect(started).toEqual(['a', 'b']);
    expect(limiter.active).toBe(2);

    tasks[1]?.finish();
    await settle();
    expect(started).toEqual(['a', 'b', 'c']);
    expect(limiter.active).toBe(2);

    tasks[0]?.finish();
    tasks[2]?.finish();
    await settle();
    expect(started).toEqual(['a', 'b', 'c', 'd', 'e']);

    tasks[3]?.finish();
    tasks[4]?.finish();
    await expect(Promise.all(results)).resolves.toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(limiter.active).toBe(0);
  });

  it('frees the slot of a task that fails, and passes its error on', async () => {
    const limiter = new Limiter(1);
    const started: string[] = [];
    const first = controlled(started, 'first');
    const second = controlled(started, 'second');
    const firstResult = limiter.run(first.task, never, 'dataverse');
    const secondResult = limiter.run(second.task, never, 'dataverse');
    first.fail();
    await expect(firstResult).rejects.toThrow('first failed');
    await settle();
    expect(started).toEqual(['first', 'second']);
    second.finish();
    await expect(secondResult).resolves.toBe('second');
    expect(limiter.active).toBe(0);
  });

  it('refuses at once, with a timeout, when the signal has already aborted', async () => {
    const limiter = new Limiter(1);
    const started: string[] = [];
    const aborted = deadlineIn(60_000, AbortSignal.abort());
    await expect(limiter.run(controlled(started, 'late').task, aborted, 'token')).rejects.toMatchObject({
      name: 'HookError',
      code: 'timeout',
      stage: 'token',
      message: 'The deadline passed before the request completed.',
    });
    expect(started).toEqual([]);
    expect(limiter.active).toBe(0);
  });

  it('rejects a queued task with a timeout when its signal aborts, without running it or freeing a slot', async () => {
    const limiter = new Limiter(1);
    const started: string[] = [];
    const running = controlled(started, 'running');
    const waiting = controlled(started, 'waiting');
    const later = controlled(started, 'later');
    const controller = new AbortController();

    const runningResult = limiter.run(running.task, never, 'dataverse');
    const waitingResult = limiter.run(waiting.task, deadlineIn(60_000, controller.signal), 'dataverse');
    controller.abort();
    await expect(waitingResult).rejects.toMatchObject({
      name: 'HookError',
      code: 'timeout',
      stage: 'dataverse',
      message: 'The deadline passed before the request completed.',
    });

    // The abandoned wait took no slot and gave none back: the running task still holds the only one.
    expect(limiter.active).toBe(1);
    const laterResult = limiter.run(later.task, never, 'dataverse');
    await settle();
    expect(started).toEqual(['running']);

    running.finish();
    await settle();
    expect(started).toEqual(['running', 'later']);
    later.finish();
    await expect(Promise.all([runningResult, laterResult])).resolves.toEqual(['running', 'later']);
    expect(limiter.active).toBe(0);
  });

  it('ignores an abort that comes after the task got its slot', async () => {
    const limiter = new Limiter(1);
    const started: string[] = [];
    const first = controlled(started, 'first');
    const second = controlled(started, 'second');
    const controller = new AbortController();
    const firstResult = limiter.run(first.task, never, 'dataverse');
    const secondResult = limiter.run(second.task, deadlineIn(60_000, controller.signal), 'dataverse');
    first.finish();
    await settle();
    controller.abort();
    second.finish();
    await expect(Promise.all([firstResult, secondResult])).resolves.toEqual(['first', 'second']);
    expect(limiter.active).toBe(0);
  });
});

describe('Limiter, when the deadline cannot cover a task', () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  const TIMEOUT = { name: 'HookError', code: 'timeout', stage: 'dataverse', message: 'The deadline passed before the request completed.' };

  it('does not start a task whose deadline leaves less than minStartMs, even with a slot free', async () => {
    const limiter = new Limiter(2, 100);
    const started: string[] = [];
    await expect(limiter.run(controlled(started, 'short').task, deadlineIn(99), 'dataverse')).rejects.toMatchObject(TIMEOUT);
    const enough = controlled(started, 'enough');
    const result = limiter.run(enough.task, deadlineIn(100), 'dataverse');
    await settle();
    expect(started).toEqual(['enough']);
    enough.finish();
    await expect(result).resolves.toBe('enough');
    expect(limiter.active).toBe(0);
  });

  it('hands a freed slot past the waiters that can no longer use it, refusing them, to the first that can', async () => {
    vi.useFakeTimers();
    const limiter = new Limiter(1, 100);
    const started: string[] = [];
    const running = controlled(started, 'running');
    const runningResult = limiter.run(running.task, deadlineIn(500), 'dataverse');
    const late = [1, 2, 3].map((i) => limiter.run(controlled(started, `late-${i}`).task, deadlineIn(450), 'dataverse'));
    const roomy = controlled(started, 'roomy');
    const roomyResult = limiter.run(roomy.task, deadlineIn(5_000), 'dataverse');
    late.forEach((result) => result.catch(() => undefined));

    // The running task ends when 370 ms have passed: the late waiters have 80 ms left, too little.
    vi.setSystemTime(Date.now() + 370);
    running.finish();
    await expect(runningResult).resolves.toBe('running');
    for (const result of late) await expect(result).rejects.toMatchObject(TIMEOUT);
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual(['running', 'roomy']);
    expect(limiter.queued).toBe(0);
    roomy.finish();
    await expect(roomyResult).resolves.toBe('roomy');
    expect(limiter.active).toBe(0);
  });

  it('lets a queued task leave as soon as its deadline can no longer cover it, before the deadline passes', async () => {
    vi.useFakeTimers();
    const limiter = new Limiter(1, 100);
    const started: string[] = [];
    const running = controlled(started, 'running');
    limiter.run(running.task, never, 'dataverse').catch(() => undefined);
    let outcome: unknown;
    limiter.run(controlled(started, 'waiting').task, deadlineIn(500), 'dataverse').catch((error: unknown) => (outcome = error));

    await vi.advanceTimersByTimeAsync(399);
    expect(outcome).toBeUndefined();
    expect(limiter.queued).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(outcome).toMatchObject(TIMEOUT);
    expect(limiter.queued).toBe(0);

    // It took no slot on its way out: the next task still waits for the running one.
    running.finish();
    const next = controlled(started, 'next');
    const nextResult = limiter.run(next.task, never, 'dataverse');
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual(['running', 'next']);
    next.finish();
    await expect(nextResult).resolves.toBe('next');
  });
});

describe('Limiter, what a waiter leaves behind', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  /** Holds the only slot until `finish`; the limiter then has nothing of its own left running. */
  function fullLimiter(): { limiter: Limiter; started: string[]; finish: () => void } {
    const limiter = new Limiter(1, 100);
    const started: string[] = [];
    const running = controlled(started, 'running');
    void limiter.run(running.task, never, 'dataverse');
    return { limiter, started, finish: running.finish };
  }

  it('a waiter that gets its slot leaves no timer and no abort listener', async () => {
    vi.useFakeTimers();
    const { limiter, started, finish } = fullLimiter();
    const signal = new AbortController().signal;
    const waiting = controlled(started, 'waiting');
    const result = limiter.run(waiting.task, deadlineIn(5_000, signal), 'dataverse');
    expect(vi.getTimerCount()).toBe(1);
    expect(getEventListeners(signal, 'abort')).toHaveLength(1);

    finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual(['running', 'waiting']);
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    waiting.finish();
    await expect(result).resolves.toBe('waiting');
  });

  it('a waiter refused when the slot frees too late for it leaves no timer and no abort listener', async () => {
    vi.useFakeTimers();
    const { limiter, started, finish } = fullLimiter();
    const signal = new AbortController().signal;
    const result = limiter.run(controlled(started, 'late').task, deadlineIn(450, signal), 'dataverse');
    result.catch(() => undefined);

    vi.setSystemTime(Date.now() + 370);
    finish();
    await expect(result).rejects.toMatchObject({ code: 'timeout', stage: 'dataverse' });
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('a waiter that leaves on its signal leaves no timer', async () => {
    vi.useFakeTimers();
    const { limiter, started } = fullLimiter();
    const controller = new AbortController();
    const result = limiter.run(controlled(started, 'waiting').task, deadlineIn(5_000, controller.signal), 'dataverse');
    controller.abort();
    await expect(result).rejects.toMatchObject({ code: 'timeout', stage: 'dataverse' });
    expect(vi.getTimerCount()).toBe(0);
    expect(limiter.queued).toBe(0);
  });

  it('a waiter that leaves when its time runs short leaves no abort listener', async () => {
    vi.useFakeTimers();
    const { limiter, started } = fullLimiter();
    const signal = new AbortController().signal;
    const result = limiter.run(controlled(started, 'waiting').task, deadlineIn(500, signal), 'dataverse');
    result.catch(() => undefined);
    await vi.advanceTimersByTimeAsync(400);
    await expect(result).rejects.toMatchObject({ code: 'timeout', stage: 'dataverse' });
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('queues where timers are plain numbers, without unref', async () => {
    vi.useFakeTimers();
    const { setTimeout: set, clearTimeout: clear } = globalThis;
    const handles = new Map<number, ReturnType<typeof setTimeout>>();
    vi.stubGlobal('setTimeout', (callback: () => void, ms?: number) => {
      handles.set(handles.size + 1, set(callback, ms));
      return handles.size;
    });
    vi.stubGlobal('clearTimeout', (id: number) => clear(handles.get(id)));
    const { limiter, started, finish } = fullLimiter();
    const waiting = controlled(started, 'waiting');
    const result = limiter.run(waiting.task, deadlineIn(5_000), 'dataverse');
    finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual(['running', 'waiting']);
    waiting.finish();
    await expect(result).resolves.toBe('waiting');
  });
});
