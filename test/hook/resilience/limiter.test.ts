import { describe, expect, it } from 'vitest';
import { Limiter } from '../../../src/hook/resilience/limiter.js';

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
const never = new AbortController().signal;

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
    const aborted = AbortSignal.abort();
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
    const waitingResult = limiter.run(waiting.task, controller.signal, 'dataverse');
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
    const secondResult = limiter.run(second.task, controller.signal, 'dataverse');
    first.finish();
    await settle();
    controller.abort();
    second.finish();
    await expect(Promise.all([firstResult, secondResult])).resolves.toEqual(['first', 'second']);
    expect(limiter.active).toBe(0);
  });
});
