import { describe, expect, it } from 'vitest';
import { KeyedLock } from '../../../src/hook/resilience/keyed-lock.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('KeyedLock', () => {
  it('runs tasks with one key one after the other, and tasks with other keys meanwhile', async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    const task = (name: string) => async () => {
      events.push(`${name} start`);
      await tick();
      events.push(`${name} end`);
      return name;
    };

    const results = await Promise.all([lock.run('a', task('a1')), lock.run('a', task('a2')), lock.run('b', task('b1'))]);

    expect(results).toEqual(['a1', 'a2', 'b1']);
    expect(events.indexOf('a2 start')).toBeGreaterThan(events.indexOf('a1 end'));
    expect(events.indexOf('b1 start')).toBeLessThan(events.indexOf('a1 end'));
  });

  it('goes on after a task that fails, passes the failure to its caller only, and forgets idle keys', async () => {
    const lock = new KeyedLock();
    const failed = lock.run('a', () => Promise.reject(new Error('boom')));
    const next = lock.run('a', async () => 'next');

    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
    await tick();
    expect(lock.size).toBe(0);
  });

  it('keeps a third task for a key waiting while the second runs, after the first has finished', async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    const gates = new Map<string, () => void>();
    const task = (name: string) => () =>
      new Promise<string>((resolve) => {
        events.push(`${name} start`);
        gates.set(name, () => {
          events.push(`${name} end`);
          resolve(name);
        });
      });
    const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

    const first = lock.run('a', task('a1'));
    const second = lock.run('a', task('a2'));
    await flush();
    gates.get('a1')?.();
    await first;
    await flush();
    expect(events).toEqual(['a1 start', 'a1 end', 'a2 start']);

    const third = lock.run('a', task('a3'));
    await flush();
    expect(events).toEqual(['a1 start', 'a1 end', 'a2 start']);
    gates.get('a2')?.();
    await second;
    await flush();
    gates.get('a3')?.();
    await expect(third).resolves.toBe('a3');
    expect(events).toEqual(['a1 start', 'a1 end', 'a2 start', 'a2 end', 'a3 start', 'a3 end']);
    await flush();
    expect(lock.size).toBe(0);
  });
});
