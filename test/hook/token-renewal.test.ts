/**
 * When the TokenSource hands out its cached token, when it asks Entra again, and when its
 * background renewal runs: under a frozen clock (msal-node decides expiry with `Date`, the renewal
 * waits with `setTimeout`; both are faked), with Entra's token endpoint under nock.
 */
import nock from 'nock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LogLine } from '../../src/hook/log.js';
import { renewalDelayMs, type TokenSource } from '../../src/hook/token.js';
import { useTokenSources } from '../support/token-source.js';

const TENANT = '11111111-2222-3333-4444-555555555555';
const T0 = new Date('2026-11-22T10:00:00Z').getTime();

type Reply = { readonly accessToken: string; readonly expiresInS: number } | 'network-error';

/** Entra answering the token POSTs with `replies` in order; the last one answers every further POST. */
function entra(replies: readonly Reply[]): void {
  let sent = 0;
  nock('https://login.microsoftonline.com')
    .persist()
    .post(`/${TENANT}/oauth2/v2.0/token`)
    .query(true)
    .reply(function () {
      const reply = replies[Math.min(sent, replies.length - 1)];
      sent += 1;
      if (reply === undefined || reply === 'network-error') {
        this.req.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
        return [500, ''];
      }
      return [200, { token_type: 'Bearer', expires_in: reply.expiresInS, ext_expires_in: reply.expiresInS, access_token: reply.accessToken }];
    });
}

const tokenSource = useTokenSources();
afterEach(() => {
  vi.useRealTimers();
});

const frozenClock = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: T0 });
const getToken = (source: TokenSource) => source.getToken(new AbortController().signal);
const renewalFailures = (logs: readonly LogLine[]) => logs.filter((line) => line.event === 'token.renewal_failed').length;

/**
 * Waits for the network (nock's answers) until `done()`, without moving the frozen clock (which
 * `vi.waitFor` would: the time left when a renewal fails decides whether it is retried).
 */
async function settle(done: () => boolean): Promise<void> {
  for (let turn = 0; turn < 10_000 && !done(); turn += 1) await new Promise((resolve) => setImmediate(resolve));
  expect(done()).toBe(true);
}

describe('the cached token', () => {
  it('is handed out while it has more than 60 s left; at 60 s the next registration asks Entra', async () => {
    frozenClock();
    // 100 s: too short for a background renewal, so only getToken asks Entra.
    entra([
      { accessToken: 'AT-1', expiresInS: 100 },
      { accessToken: 'AT-2', expiresInS: 100 },
    ]);
    const source = tokenSource();
    expect(await getToken(source)).toBe('AT-1');

    vi.setSystemTime(T0 + 39_999);
    expect(await getToken(source)).toBe('AT-1');
    expect(source.requests).toBe(1);

    vi.setSystemTime(T0 + 40_000);
    expect(await getToken(source)).toBe('AT-2');
    expect(source.requests).toBe(2);
  });

  it('a second refusal of the same token (two registrations refused at once) is harmless', async () => {
    entra([
      { accessToken: 'AT-1', expiresInS: 3599 },
      { accessToken: 'AT-2', expiresInS: 3599 },
    ]);
    const source = tokenSource();
    expect(await getToken(source)).toBe('AT-1');

    source.invalidate('AT-1');
    source.invalidate('AT-1');

    expect(await getToken(source)).toBe('AT-2');
    expect(source.requests).toBe(2);
  });
});

describe("msal-node's own cache stays in play", () => {
  // Only invalidate() and the background renewal bypass msal-node's cache (skipCache); a
  // registration or the pre-fetch let it answer. Production never reaches a state where the
  // TokenSource's margin has passed while msal-node still holds a token for long: its `now` option,
  // set 3560 s ahead of msal-node's clock, gets there.
  const clockAhead = () => Date.now() + 3_560_000;

  it('a registration that finds no usable token of its own takes the one msal-node still holds, without a request', async () => {
    entra([
      { accessToken: 'AT-1', expiresInS: 3599 },
      { accessToken: 'AT-2', expiresInS: 3599 },
    ]);
    const source = tokenSource({ now: clockAhead });
    expect(await getToken(source)).toBe('AT-1');

    expect(await getToken(source)).toBe('AT-1');
    expect(source.requests).toBe(1);
  });

  it('so does the pre-fetch', async () => {
    entra([
      { accessToken: 'AT-1', expiresInS: 3599 },
      { accessToken: 'AT-2', expiresInS: 3599 },
    ]);
    const source = tokenSource({ now: clockAhead });
    expect(await getToken(source)).toBe('AT-1');

    source.prefetch();

    // The registration shares the pre-fetch in flight.
    expect(await getToken(source)).toBe('AT-1');
    expect(source.requests).toBe(1);
  });
});

describe('background renewal', () => {
  it('stops with close()', async () => {
    frozenClock();
    entra([
      { accessToken: 'AT-1', expiresInS: 3599 },
      { accessToken: 'AT-2', expiresInS: 3599 },
    ]);
    const source = tokenSource();
    await getToken(source);

    source.close();
    await vi.advanceTimersByTimeAsync(3_599_000);

    expect(source.requests).toBe(1);
  });

  it('moves with a token replaced early (after a 401): the old renewal does not fire as well', async () => {
    frozenClock();
    entra([
      { accessToken: 'AT-1', expiresInS: 3599 },
      { accessToken: 'AT-2', expiresInS: 3599 },
      { accessToken: 'AT-3', expiresInS: 3599 },
    ]);
    const source = tokenSource();
    expect(await getToken(source)).toBe('AT-1');
    await vi.advanceTimersByTimeAsync(1_000_000);
    source.invalidate('AT-1');
    expect(await getToken(source)).toBe('AT-2');

    // AT-1's renewal was due at 2999 s; AT-2's is due at 1000 + 2999 s.
    await vi.advanceTimersByTimeAsync(2_100_000);
    expect(source.requests).toBe(2);

    await vi.advanceTimersByTimeAsync(900_000);
    expect(source.requests).toBe(3);
  });

  it('never runs for a token too short-lived to renew (90 s): the next registration asks instead', async () => {
    frozenClock();
    entra([{ accessToken: 'AT-1', expiresInS: 90 }, 'network-error']);
    const logs: LogLine[] = [];
    const source = tokenSource({}, logs);
    expect(await getToken(source)).toBe('AT-1');

    await vi.advanceTimersByTimeAsync(31_000);
    // A renewal started meanwhile would have failed (and logged) before this registration's own request.
    await expect(getToken(source)).rejects.toMatchObject({ code: 'network' });

    expect(renewalFailures(logs)).toBe(0);
    expect(source.requests).toBe(2);
  });

  it('is not retried when the retry would come with 60 s or less left: registrations ask Entra from then on', async () => {
    frozenClock();
    // 180 s: renewed at half-life, with 90 s left; the retry would be due with 60 s left.
    entra([{ accessToken: 'AT-1', expiresInS: 180 }, 'network-error']);
    const logs: LogLine[] = [];
    const source = tokenSource({}, logs);
    await getToken(source);
    await vi.advanceTimersByTimeAsync(90_000);
    await settle(() => renewalFailures(logs) === 1);

    await vi.advanceTimersByTimeAsync(30_000);
    // A retry started meanwhile would have failed (and logged) before this registration's own request.
    await expect(getToken(source)).rejects.toMatchObject({ code: 'network' });

    expect(renewalFailures(logs)).toBe(1);
  });

  it('is retried 30 s later when the token still has more than 90 s left', async () => {
    frozenClock();
    entra([{ accessToken: 'AT-1', expiresInS: 182 }, 'network-error', { accessToken: 'AT-2', expiresInS: 3599 }]);
    const logs: LogLine[] = [];
    const source = tokenSource({}, logs);
    await getToken(source);
    await vi.advanceTimersByTimeAsync(91_000);
    await settle(() => renewalFailures(logs) === 1);

    await vi.advanceTimersByTimeAsync(30_000);
    expect(source.requests).toBe(3);
    // With 60 s left, a registration no longer takes AT-1: it shares the retry in flight, or takes its token.
    vi.setSystemTime(T0 + 122_000);
    expect(await getToken(source)).toBe('AT-2');
    expect(source.requests).toBe(3);
  });

  it('works where timers are plain numbers without unref (a browser-like runtime)', async () => {
    const realSetTimeout = globalThis.setTimeout;
    const delays: number[] = [];
    vi.spyOn(globalThis, 'setTimeout').mockImplementation(((handler: () => void, delayMs?: number) => {
      const timer = realSetTimeout(handler, delayMs);
      if ((delayMs ?? 0) < 60_000) return timer;
      delays.push(delayMs ?? 0);
      // Node's clearTimeout takes the number too.
      return Number(timer);
    }) as typeof setTimeout);
    entra([{ accessToken: 'AT-1', expiresInS: 3599 }]);
    const source = tokenSource();

    expect(await getToken(source)).toBe('AT-1');
    expect(delays).toHaveLength(1);
  });
});

describe('renewalDelayMs', () => {
  it('renews a token of the shortest renewable lifetime (120 s) at half-life', () => {
    expect(renewalDelayMs(120_000)).toBe(60_000);
    expect(renewalDelayMs(119_999)).toBeUndefined();
  });

  it('renews a token shorter than 20 minutes at half-life, a longer one 10 minutes before expiry', () => {
    expect(renewalDelayMs(1_000_000)).toBe(500_000);
    expect(renewalDelayMs(1_200_000)).toBe(600_000);
    expect(renewalDelayMs(1_500_000)).toBe(900_000);
  });
});
