/**
 * The login storm of `npm run bench` (`src/bench/storm.ts`): its Dataverse stand-in enforces the
 * scaled service-protection limits and judges requests against the holds it announced, and a short
 * storm runs end to end through the BUILT sign-in gate with no request started during a hold. No
 * timing is asserted: the figures are the bench's to report.
 */
import { request as httpsRequest, Agent } from 'node:https';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runStorm, STORM_DEFAULTS } from '../../src/bench/storm.js';
import { judgeAgainstHolds, STORM_HEADERS, startStormStandIn, type StormStandIn } from '../../src/bench/storm-stand-in.js';
import { createSelfSignedCertificate } from '../../src/harness/self-signed.js';

const tls = createSelfSignedCertificate('127.0.0.1');
const LOOKUP = "/api/data/v9.2/contacts?$filter=emailaddress1%20eq%20'person-1%40example.com'";

interface Reply {
  status: number;
  headers: Record<string, unknown>;
  body: unknown;
}

function get(standIn: StormStandIn, headers: Record<string, string> = {}, agent?: Agent): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      `${standIn.url}${LOOKUP}`,
      { ca: tls.certPem, agent, headers: { authorization: 'Bearer app-user-a', ...headers } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: JSON.parse(text) as unknown }));
      },
    );
    request.on('error', reject);
    request.end();
  });
}

beforeAll(() => nock.enableNetConnect('127.0.0.1'));
afterAll(() => nock.disableNetConnect());

describe('the storm stand-in', () => {
  it('answers past N requests in the sliding window with a 429, Retry-After in seconds and Dataverse body, per application user, and again once the window slides', async () => {
    let now = 1_000;
    const standIn = await startStormStandIn(tls, { windowRequests: 3, windowMs: 60_000, serviceMs: 0, now: () => now });
    try {
      const accepted = [await get(standIn), await get(standIn), await get(standIn)];
      const refused = await get(standIn);
      const otherUser = await get(standIn, { authorization: 'Bearer app-user-b' });
      now = 61_001;
      const afterTheWindow = await get(standIn);

      expect(accepted.map((reply) => reply.status)).toEqual([200, 200, 200]);
      expect(accepted[0]?.body).toMatchObject({ value: [{ contactid: '0f8fad5b-d9cb-469f-a165-70867728950e' }] });
      expect(refused).toMatchObject({
        status: 429,
        headers: { 'retry-after': '60', [STORM_HEADERS.hold]: '1', 'content-type': 'application/json; odata.metadata=minimal' },
        body: { error: { code: '0x80072322', message: 'Number of requests exceeded the limit of 3 over time window of 60 seconds.' } },
      });
      expect(otherUser.status).toBe(200);
      expect(afterTheWindow.status).toBe(200);
      expect(standIn.holds).toEqual([{ id: 1, cause: 'window', announcedAt: 1_000, endsAt: 61_000, requestIndex: 3 }]);
    } finally {
      await standIn.close();
    }
  });

  it('refuses the 53rd concurrent request of one user at once with 0x80072326', async () => {
    let release = () => undefined as void;
    const answerGate = new Promise<void>((resolve) => (release = resolve));
    const standIn = await startStormStandIn(tls, { windowRequests: 1_000, windowMs: 60_000, serviceMs: 0, answerGate });
    const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
    try {
      const replies = Promise.all(Array.from({ length: 53 }, () => get(standIn, {}, agent)));
      // The 53rd is refused while the other 52 are still held open.
      await vi.waitUntil(() => standIn.requests.length === 53, { timeout: 15_000, interval: 20 });
      expect(standIn.requests.filter((request) => request.status === 429)).toHaveLength(1);
      expect(standIn.maxInFlight()).toBe(52);
      release();
      const statuses = (await replies).map((reply) => reply.status);

      expect(statuses.filter((status) => status === 200)).toHaveLength(52);
      expect((await replies).find((reply) => reply.status === 429)?.body).toEqual({
        error: { code: '0x80072326', message: 'Number of concurrent requests exceeded the limit of 52.' },
      });
      expect(standIn.holds).toMatchObject([{ id: 1, cause: 'concurrency' }]);
    } finally {
      agent.destroy();
      await standIn.close();
    }
  });

  it('counts a request started before the end of a hold the client had received, and apart one that arrived in a hold it had not', async () => {
    let now = 1_000;
    const standIn = await startStormStandIn(tls, { windowRequests: 1, windowMs: 10_000, serviceMs: 0, now: () => now });
    try {
      await get(standIn);
      expect((await get(standIn)).headers[STORM_HEADERS.hold]).toBe('1');
      now = 2_000;
      // Started inside hold 1 (which ends at 11,000), knowing of it: the one the goal forbids.
      await get(standIn, { [STORM_HEADERS.sentAt]: '1999', [STORM_HEADERS.holdsSeen]: '1' });
      // Already on its way when the 429 was sent: it could not know.
      await get(standIn, { [STORM_HEADERS.sentAt]: '999', [STORM_HEADERS.holdsSeen]: '' });
      now = 11_000;
      // Started when hold 1 ended, and for hold 2 (announced at 2,000), not yet received.
      await get(standIn, { [STORM_HEADERS.sentAt]: '11000', [STORM_HEADERS.holdsSeen]: '1' });

      expect(judgeAgainstHolds(standIn)).toEqual({ startedDuringKnownHold: 1, arrivedUnawareDuringHold: 1 });
    } finally {
      await standIn.close();
    }
  });
});

describe('a short login storm through the built sign-in gate', () => {
  it('answers every sign-in once, meets the 429s, shares lookups of one person, and starts no request during a hold it had heard of', async () => {
    // A queue in the hook's limiter (cap 2, 50 ms a request) when the window fills: where a
    // request once slipped out on a 429's heels.
    const figures = await runStorm({
      ...STORM_DEFAULTS,
      durationS: 1.5,
      ratePerS: 40,
      windowRequests: 10,
      windowS: 30,
      serviceMs: 50,
      hookMaxConcurrent: 2,
      warm: false,
    });

    expect(figures.signIns).toBe(60);
    expect(figures.answeredOnce).toBe(60);
    expect(figures.throttled.window).toBeGreaterThanOrEqual(1);
    expect(figures.startedDuringKnownHold).toBe(0);
    expect(figures.joined).toBeGreaterThanOrEqual(1);
    expect(figures.requests).toBeLessThan(figures.signIns);
    expect(figures.decisions.during['allow (throttled)']).toBeGreaterThanOrEqual(1);
    expect(figures.decisions.before['allow (matched)']).toBeGreaterThanOrEqual(1);
  }, 120_000);
});
