import { describe, expect, it } from 'vitest';
import { Deadline } from '../../../src/hook/resilience/deadline.js';
import { ThrottleHold } from '../../../src/hook/resilience/hold.js';

describe('ThrottleHold', () => {
  it('lets a request start at once when there is no hold', async () => {
    const deadline = new Deadline(1000);
    await expect(new ThrottleHold(100).pass(deadline)).resolves.toBeUndefined();
    deadline.dispose();
  });

  it('refuses at once, as throttled, work whose deadline ends inside the hold', async () => {
    let now = 0;
    const hold = new ThrottleHold(100, () => now);
    hold.extend(5000);
    now = 1000;
    const deadline = { signal: new AbortController().signal, remainingMs: () => 1500 };
    await expect(hold.pass(deadline)).rejects.toMatchObject({
      code: 'throttled',
      stage: 'dataverse',
      retryAfterMs: 4000,
      message: 'Dataverse requests are on hold after a 429.',
    });
  });

  it('refuses work that would have less than minStartMs left after the hold', async () => {
    let now = 0;
    const hold = new ThrottleHold(100, () => now);
    hold.extend(1000);
    await expect(hold.pass({ signal: new AbortController().signal, remainingMs: () => 1050 })).rejects.toMatchObject({ code: 'throttled' });
    now = 1000;
    await expect(hold.pass({ signal: new AbortController().signal, remainingMs: () => 1050 })).resolves.toBeUndefined();
  });

  it('waits for the end of a hold that fits the deadline', async () => {
    const hold = new ThrottleHold(100);
    hold.extend(300);
    const deadline = new Deadline(5000);
    const startedAt = Date.now();
    await hold.pass(deadline);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(290);
    expect(hold.remainingMs()).toBe(0);
    deadline.dispose();
  });

  it('is never shortened by a later, shorter Retry-After', () => {
    let now = 0;
    const hold = new ThrottleHold(0, () => now);
    hold.extend(5000);
    hold.extend(1000);
    expect(hold.remainingMs()).toBe(5000);
    now = 6000;
    expect(hold.remainingMs()).toBe(0);
  });
});
