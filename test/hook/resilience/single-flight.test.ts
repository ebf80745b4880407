import { describe, expect, it } from 'vitest';
import { SingleFlight } from '../../../src/hook/resilience/single-flight.js';

describe('SingleFlight', () => {
  it('gives callers that arrive while a run is in flight the same run', async () => {
    const flight = new SingleFlight<number>();
    let runs = 0;
    let finish: (value: number) => void = () => undefined;
    const task = () => {
      runs += 1;
      return new Promise<number>((resolve) => (finish = resolve));
    };
    const first = flight.run('ada', task);
    const second = flight.run('ada', task);
    finish(7);
    expect([await first.result, await second.result]).toEqual([7, 7]);
    expect([first.joined, second.joined, runs]).toEqual([false, true, 1]);
  });

  it('runs other keys side by side and forgets a key once its run settles, failed or not', async () => {
    const flight = new SingleFlight<string>();
    const a = flight.run('a', async () => 'a');
    const b = flight.run('b', () => Promise.reject(new Error('boom')));
    expect(flight.size).toBe(2);
    await expect(a.result).resolves.toBe('a');
    await expect(b.result).rejects.toThrow('boom');
    await Promise.resolve();
    expect(flight.size).toBe(0);
    expect(flight.run('a', async () => 'again').joined).toBe(false);
  });

  it('turns a task that throws before returning a promise into a rejection', async () => {
    const flight = new SingleFlight<string>();
    const run = flight.run('x', () => {
      throw new Error('sync');
    });
    await expect(run.result).rejects.toThrow('sync');
  });
});
