import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Deadline } from '../../../src/hook/resilience/deadline.js';
import { type FailureCode, HookError } from '../../../src/hook/errors.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, retryDelayMs, withRetries } from '../../../src/hook/resilience/retry.js';

const policy = (random = 0.5, overrides: Partial<RetryPolicy> = {}): RetryPolicy => ({
  maxAttempts: 3,
  baseDelayMs: 100,
  minAttemptMs: 100,
  random: () => random,
  ...overrides,
});
const failure = (code: FailureCode, retryAfterMs?: number): HookError =>
  new HookError(code, `failed: ${code}`, retryAfterMs === undefined ? { stage: 'dataverse' } : { stage: 'dataverse', retryAfterMs });

describe('retryDelayMs', () => {
  it('waits what the server asked (Retry-After) on a 429', () => {
    expect(retryDelayMs(failure('throttled', 3000), 1, policy(0))).toBe(3000);
  });

  it('backs off on a 429 without Retry-After', () => {
    expect(retryDelayMs(failure('throttled'), 1, policy(0.5))).toBe(100);
  });

  it.each([
    [1, 0, 50],
    [1, 0.5, 100],
    [1, 0.999_999, 150],
    [2, 0, 100],
    [2, 0.5, 200],
    [2, 0.999_999, 300],
  ])('backs off on a 5xx: attempt %i with random %d waits %i ms (base doubled, +-50 %% jitter)', (attempts, random, expected) => {
    expect(retryDelayMs(failure('server'), attempts, policy(random, { maxAttempts: 5 }))).toBe(expected);
  });

  it('retries network failures too', () => {
    expect(retryDelayMs(failure('network'), 1, policy(0.5))).toBe(100);
  });

  it.each<FailureCode>(['timeout', 'auth', 'forbidden', 'not_found', 'bad_response', 'config'])('does not retry a %s failure', (code) => {
    expect(retryDelayMs(failure(code), 1, policy())).toBeUndefined();
  });

  it('does not retry once maxAttempts attempts were made, Retry-After or not', () => {
    expect(retryDelayMs(failure('server'), 2, policy())).toBe(200);
    expect(retryDelayMs(failure('server'), 3, policy())).toBeUndefined();
    expect(retryDelayMs(failure('throttled', 10), 3, policy())).toBeUndefined();
  });

  it.each<FailureCode>(['network', 'server', 'throttled'])('does not retry a %s failure of the token stage (the single flight shares one request)', (code) => {
    expect(retryDelayMs(new HookError(code, 'token failed', { stage: 'token' }), 1, policy())).toBeUndefined();
  });

  it('defaults to three attempts', () => {
    expect(DEFAULT_RETRY_POLICY.maxAttempts).toBe(3);
  });
});

describe('withRetries', () => {
  let deadline: Deadline | undefined;
  const startDeadline = (timeoutMs: number): Deadline => (deadline = new Deadline(timeoutMs));
  const classifyAs = (error: HookError) => vi.fn((_raw: unknown) => error);

  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    deadline?.dispose();
    vi.useRealTimers();
  });

  it('returns the first success after one attempt, passing the deadline’s signal', async () => {
    const counter = { attempts: 0 };
    const d = startDeadline(1000);
    const attempt = vi.fn(async () => 'contacts');
    await expect(withRetries(attempt, classifyAs(failure('server')), d, counter, policy())).resolves.toBe('contacts');
    expect(attempt).toHaveBeenCalledExactlyOnceWith(d.signal);
    expect(counter.attempts).toBe(1);
  });

  it('retries a transient failure after the backoff and returns the success', async () => {
    const counter = { attempts: 0 };
    const attempt = vi.fn().mockRejectedValueOnce(new Error('503')).mockResolvedValueOnce('contacts');
    const result = withRetries(attempt, classifyAs(failure('server')), startDeadline(1000), counter, policy(0));
    await vi.advanceTimersByTimeAsync(49);
    expect(attempt).toHaveBeenCalledTimes(1); // still waiting the 50 ms backoff
    await vi.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toBe('contacts');
    expect(counter.attempts).toBe(2);
  });

  it('throws a non-transient failure at once, as classified', async () => {
    const counter = { attempts: 0 };
    const forbidden = failure('forbidden');
    const raw = new Error('403');
    const classify = classifyAs(forbidden);
    await expect(withRetries(() => Promise.reject(raw), classify, startDeadline(1000), counter, policy())).rejects.toBe(forbidden);
    expect(classify).toHaveBeenCalledExactlyOnceWith(raw);
    expect(counter.attempts).toBe(1);
  });

  it('gives up after maxAttempts with the last failure', async () => {
    const counter = { attempts: 0 };
    const server = failure('server');
    const result = withRetries(() => Promise.reject(new Error('500')), classifyAs(server), startDeadline(10_000), counter, policy(0.5));
    const settled = expect(result).rejects.toBe(server);
    await vi.advanceTimersByTimeAsync(100 + 200);
    await settled;
    expect(counter.attempts).toBe(3);
  });

  it('does not start a wait that does not fit before the deadline', async () => {
    const counter = { attempts: 0 };
    const throttled = failure('throttled', 950); // 950 ms wait + 100 ms for the attempt > 1000 ms left
    await expect(withRetries(() => Promise.reject(new Error('429')), classifyAs(throttled), startDeadline(1000), counter, policy())).rejects.toBe(throttled);
    expect(counter.attempts).toBe(1);
    expect(vi.getTimerCount()).toBe(1); // only the deadline's own timer: no sleep was started
  });

  it('starts a wait that leaves exactly minAttemptMs for the next attempt', async () => {
    const counter = { attempts: 0 };
    const attempt = vi.fn().mockRejectedValueOnce(new Error('429')).mockResolvedValueOnce('contacts');
    const result = withRetries(attempt, classifyAs(failure('throttled', 900)), startDeadline(1000), counter, policy());
    await vi.advanceTimersByTimeAsync(900);
    await expect(result).resolves.toBe('contacts');
    expect(counter.attempts).toBe(2);
  });

  it('counts the time already spent: a backoff that fitted at first no longer fits later', async () => {
    const counter = { attempts: 0 };
    const server = failure('server');
    // Backoffs at random 0.5 are 100 then 200 ms; each attempt takes 300 ms of the 800 ms deadline.
    const attempt = vi.fn(() => new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error('500')), 300)));
    const result = withRetries(attempt, classifyAs(server), startDeadline(800), counter, policy(0.5));
    const settled = expect(result).rejects.toBe(server);
    await vi.advanceTimersByTimeAsync(300 + 100 + 300);
    await settled;
    expect(counter.attempts).toBe(2); // 100 ms left after the second attempt: no room for 200 + 100
  });

  it('reports a timeout, not the library error, when the deadline aborted the attempt', async () => {
    const counter = { attempts: 0 };
    const classify = classifyAs(failure('network'));
    const attempt = (signal: AbortSignal) =>
      new Promise<never>((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('This operation was aborted'))));
    const result = withRetries(attempt, classify, startDeadline(500), counter, policy());
    const settled = expect(result).rejects.toMatchObject({
      name: 'HookError',
      code: 'timeout',
      stage: 'dataverse',
      message: 'The deadline passed before the request completed.',
    });
    await vi.advanceTimersByTimeAsync(500);
    await settled;
    expect(counter.attempts).toBe(1);
  });

  it('keeps a timeout the attempt reported itself when the deadline aborted it', async () => {
    const counter = { attempts: 0 };
    const own = new HookError('timeout', 'The token request timed out.', { stage: 'token', cause: new Error('The operation was aborted') });
    const attempt = (signal: AbortSignal) => new Promise<never>((_resolve, reject) => signal.addEventListener('abort', () => reject(own)));
    const result = withRetries(attempt, classifyAs(own), startDeadline(500), counter, policy());
    const settled = expect(result).rejects.toBe(own);
    await vi.advanceTimersByTimeAsync(500);
    await settled;
  });
});
