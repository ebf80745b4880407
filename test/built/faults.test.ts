/**
 * The fault matrix, against the BUILT hook: whatever Entra or Dataverse does, the hook answers with
 * the configured `policy.onError` outcome, exactly once, within the deadline, with the failure
 * classified in its log line, and with no unhandled rejection or uncaught exception.
 */
import { PassThrough } from 'node:stream';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BurstServer, startHangingServer, startThrottlingServer } from '../../src/bench/burst-stand-ins.js';
import { type BurstFigures, runBurst } from '../../src/bench/burst.js';
import { buildHook } from '../../src/build/build-hook.js';
import { type HookRun, registrationPayload, runHook } from '../../src/harness/run-hook.js';
import { loadBuiltHook, StrivacityErrorDenyRequest, strivacityGlobals } from '../../src/harness/load-hook.js';
import { createSelfSignedCertificate } from '../../src/harness/self-signed.js';
import { readFixture } from '../../src/harness/stand-in.js';
import { ACCESS_TOKEN, API, configWith, JSON_HEADERS, mockToken, ORG, SECRET, TENANT } from '../support/helpers.js';
import { measureRunQueueWait } from '../support/run-queue-wait.js';

const TIMEOUT_MS = 1500;
/** The deadline holds to within this much (timer and event-loop slack on a busy CI machine). */
const SLACK_MS = 250;
const CONFIG = configWith({ policy: { onError: 'deny', timeoutMs: TIMEOUT_MS } });
const UNAVAILABLE = 'Registration is temporarily unavailable. Please try again in a few minutes.';

let code = '';
const strays: unknown[] = [];
const onStray = (error: unknown) => strays.push(error);
const measured: Array<{ fault: string; outcome: string; failure: string; ms: number }> = [];

beforeAll(async () => {
  code = (await buildHook('pre-registration', CONFIG)).code;
  process.env['DYNAMICS_CLIENT_SECRET'] = SECRET;
  process.on('unhandledRejection', onStray);
  process.on('uncaughtException', onStray);
});
afterAll(() => {
  delete process.env['DYNAMICS_CLIENT_SECRET'];
  process.off('unhandledRejection', onStray);
  process.off('uncaughtException', onStray);
  console.info(['fault | outcome | failure class | ms', ...measured.map((m) => `${m.fault} | ${m.outcome} | ${m.failure} | ${m.ms.toFixed(0)}`)].join('\n'));
});
afterEach(() => {
  strays.length = 0;
});

const contacts = () => nock(ORG).get(`${API}/contacts`).query(true);
const entra = () => nock('https://login.microsoftonline.com').post(`/${TENANT}/oauth2/v2.0/token`).query(true);

type RegisterRun = HookRun & { decided: Record<string, unknown>; waitedForCpuMs: number };

/** Loads a fresh built hook (MSAL keeps a per-instance throttle cache) and runs one registration. */
async function register(fault: string, builtCode = code, timeoutMs = TIMEOUT_MS): Promise<RegisterRun> {
  const { hook, unload } = loadBuiltHook(builtCode, strivacityGlobals('ErrorDenyRequest'));
  try {
    // As in the bursts below: from 150 ms before the deadline on, time the OS kept this process
    // waiting for a CPU delays the answer without being the hook's.
    const waited = measureRunQueueWait(timeoutMs - 150);
    const run = await runHook(hook, registrationPayload('ada.lovelace@example.com'));
    const waitedForCpuMs = waited.stop();
    // Let late events (an aborted socket, a timer) fire before checking for strays.
    await new Promise((resolve) => setTimeout(resolve, 30));
    const decided = run.logLines.find((line) => (line as { event?: string }).event === 'registration.decided') as Record<string, unknown>;
    // The log scan covers the fault matrix too: whatever failed, nothing secret or personal is written.
    const written = JSON.stringify(run.logLines);
    for (const forbidden of [SECRET, ACCESS_TOKEN, 'ada.lovelace@example.com', 'Lovelace', '+44 20 7946 0018']) expect(written).not.toContain(forbidden);
    measured.push({
      fault,
      outcome: run.via === 'error' ? 'deny' : String(decided?.['outcome']),
      failure: String(decided?.['failure'] ?? '-'),
      ms: run.elapsedMs,
    });
    return { ...run, decided, waitedForCpuMs };
  } finally {
    unload();
  }
}

function expectOnErrorOutcome(run: RegisterRun): void {
  expect(run.calls).toBe(1);
  expect(run.via).toBe('error');
  expect(run.result).toStrictEqual(new StrivacityErrorDenyRequest(UNAVAILABLE, ''));
  // The contract: the hook's own measure of the registration is within the deadline plus 100 ms;
  // from the caller's side, allowing for a loaded CI machine; both plus the time other processes
  // held the CPU (0 on an idle machine).
  expect(run.decided['latencyMs']).toBeLessThanOrEqual(TIMEOUT_MS + 100 + run.waitedForCpuMs);
  expect(run.elapsedMs).toBeLessThan(TIMEOUT_MS + SLACK_MS + run.waitedForCpuMs);
  expect(strays).toEqual([]);
}

describe('token endpoint faults', () => {
  it.each([
    ['AADSTS7000215 (wrong secret)', 'entra-aadsts7000215.json', 401, 7000215],
    ['AADSTS700016 (unknown client id)', 'entra-aadsts700016.json', 400, 700016],
    ['AADSTS500011 (resource not in tenant)', 'entra-aadsts500011.json', 400, 500011],
  ])('%s is an auth failure with its AADSTS number', async (fault, fixture, status, aadsts) => {
    const recorded = readFixture(fixture) as { status: number; body: nock.Body };
    entra().times(2).reply(recorded.status, recorded.body);
    const run = await register(`token ${fault}`);

    expectOnErrorOutcome(run);
    expect(run.decided).toMatchObject({ outcome: 'deny', reason: 'lookup_failed', failure: 'auth', stage: 'token', status, aadsts });
  });

  it('a token endpoint that never answers ends at the deadline as a timeout', async () => {
    entra()
      .delay(10_000)
      .reply(200, readFixture('token.json') as nock.Body);
    const run = await register('token hang');

    expectOnErrorOutcome(run);
    expect(run.decided).toMatchObject({ failure: 'timeout', stage: 'token' });
    expect(run.elapsedMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
  });
});

describe('Dataverse faults', () => {
  it('401 with an empty body is an auth failure whose reason comes from WWW-Authenticate', async () => {
    mockToken();
    contacts().reply(401, '', {
      'www-authenticate':
        'Bearer authorization_uri="https://login.microsoftonline.com/x/oauth2/authorize", error="invalid_token", error_description="IDX10214: Audience validation failed."',
    });
    const run = await register('Dataverse 401 (audience)');

    expectOnErrorOutcome(run);
    expect(run.decided).toMatchObject({ failure: 'auth', stage: 'dataverse', status: 401, attempts: 1 });
    expect(run.decided['diagnostic']).toBe('IDX10214: Audience validation failed (token for another environment)');
  });

  it('401 whose 401_error_reason holds free text logs the reason as "other", never the text', async () => {
    mockToken();
    contacts().reply(401, '', { '401_error_reason': 'victim.person@example.com was here' });
    const run = await register('Dataverse 401 (hostile reason)');

    expectOnErrorOutcome(run);
    expect(run.decided).toMatchObject({ failure: 'auth', status: 401, diagnostic: 'other' });
    expect(JSON.stringify(run)).not.toContain('victim.person');
  });

  it.each([
    ['403 0x80072560 (no Application User)', 'dataverse-403-no-application-user.json', 403, 'forbidden', '0x80072560'],
    ['403 0x80040220 (missing prvReadContact)', 'dataverse-403-missing-privilege.json', 403, 'forbidden', '0x80040220'],
    ['404', 'dataverse-404.json', 404, 'not_found', '0x80060888'],
  ])('%s is not retried', async (fault, fixture, status, failure, dataverseCode) => {
    mockToken();
    contacts().reply(status, readFixture(fixture) as nock.Body, JSON_HEADERS);
    const run = await register(`Dataverse ${fault}`);

    expectOnErrorOutcome(run);
    expect(run.decided).toMatchObject({ failure, status, dataverseCode, attempts: 1 });
  });

  it('429 with a Retry-After that fits the deadline is waited for and retried', async () => {
    // A deadline of its own: with 1,500 ms, a first attempt slower than 400 ms on a loaded machine
    // leaves too little time after the 1 s wait, and the hook (rightly) does not wait.
    const timeoutMs = 3000;
    const patient = (await buildHook('pre-registration', configWith({ policy: { onError: 'deny', timeoutMs } }))).code;
    mockToken();
    contacts().reply(429, readFixture('dataverse-429.json') as nock.Body, { ...JSON_HEADERS, 'retry-after': '1' });
    contacts().reply(200, readFixture('contacts-one.json') as nock.Body, JSON_HEADERS);
    const run = await register('Dataverse 429, Retry-After 1 s', patient, timeoutMs);

    expect(run.calls).toBe(1);
    expect(run.via).toBe('callback');
    expect(run.decided).toMatchObject({ outcome: 'allow', reason: 'matched', attempts: 2 });
    expect(run.elapsedMs).toBeGreaterThanOrEqual(1000);
    expect(run.elapsedMs).toBeLessThan(timeoutMs + SLACK_MS + run.waitedForCpuMs);
  });

  it('429 with a Retry-After longer than the time left is not waited for', async () => {
    mockToken();
    contacts().reply(429, readFixture('dataverse-429.json') as nock.Body, { ...JSON_HEADERS, 'retry-after': '30' });
    const run = await register('Dataverse 429, Retry-After 30 s');

    expectOnErrorOutcome(run);
    expect(run.decided).toMatchObject({ failure: 'throttled', status: 429, dataverseCode: '0x80072322', attempts: 1 });
    expect(run.elapsedMs).toBeLessThan(TIMEOUT_MS / 2);
  });

  it('500 is retried with backoff while the deadline allows, then reported as a server failure', async () => {
    mockToken();
    contacts()
      .times(3)
      .reply(500, readFixture('dataverse-500.json') as nock.Body, JSON_HEADERS);
    const run = await register('Dataverse 500');

    expectOnErrorOutcome(run);
    expect(run.decided).toMatchObject({ failure: 'server', status: 500, attempts: 3 });
  });

  it('503 with an HTML body is a server failure, not a parse crash', async () => {
    mockToken();
    contacts().times(3).reply(503, '<!DOCTYPE html><html><body>Service Unavailable</body></html>', { 'content-type': 'text/html' });
    const run = await register('Dataverse 503 (HTML)');

    expectOnErrorOutcome(run);
    expect(run.decided).toMatchObject({ failure: 'server', status: 503, attempts: 3 });
  });

  it('a lookup that never answers ends at the deadline as a timeout', async () => {
    mockToken();
    contacts()
      .delay(10_000)
      .reply(200, readFixture('contacts-one.json') as nock.Body, JSON_HEADERS);
    const run = await register('Dataverse hang');

    expectOnErrorOutcome(run);
    expect(run.decided).toMatchObject({ failure: 'timeout', attempts: 1 });
  });

  it('a response that trickles in byte by byte ends at the deadline as a timeout', async () => {
    mockToken();
    const body = JSON.stringify(readFixture('contacts-one.json'));
    contacts().reply(
      200,
      () => {
        const stream = new PassThrough();
        let sent = 0;
        const timer = setInterval(() => {
          if (sent >= body.length) {
            clearInterval(timer);
            stream.end();
            return;
          }
          stream.write(body[sent]);
          sent += 1;
          // 200 ms: about 7 chunks before the deadline. nock's mock socket (@mswjs/interceptors) has no
          // _read of its own, so Node adds a 'connect' listener per read that never fires; 11 or more
          // chunks trip MaxListenersExceededWarning without testing anything more.
        }, 200);
        stream.on('close', () => clearInterval(timer));
        return stream;
      },
      JSON_HEADERS,
    );
    const run = await register('Dataverse trickle (1 byte / 200 ms)');

    expectOnErrorOutcome(run);
    expect(run.decided).toMatchObject({ failure: 'timeout', stage: 'dataverse' });
  });

  it('a connection reset mid-response ends at the deadline (dynamics-web-api never settles it)', async () => {
    mockToken();
    contacts().reply(
      200,
      function () {
        const body = new PassThrough();
        body.write('{"value": [{"contactid": "0f8fad5b');
        // The reset comes once the client holds the response and its first bytes: mid-response by
        // construction. A fixed timer raced nock's playback: on a loaded machine it fired before the
        // response was handed over, which is a reset before any answer (a network failure, rightly
        // retried), and the retry met nock's "no match", read as a 404 (see test/setup.ts).
        this.req.once('response', (response: NodeJS.EventEmitter) =>
          response.once('data', () => setImmediate(() => body.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })))),
        );
        return body;
      },
      JSON_HEADERS,
    );
    const run = await register('Dataverse reset (mid-response)');

    expectOnErrorOutcome(run);
    expect(run.decided).toMatchObject({ failure: 'timeout', stage: 'dataverse', attempts: 1 });
  });

  it("a connection reset before the response is a network failure, retried: the retry's answer decides", async () => {
    mockToken();
    contacts().replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    contacts().reply(200, readFixture('contacts-one.json') as nock.Body, JSON_HEADERS);
    const run = await register('Dataverse reset (before the response), then 200');

    expect(run.calls).toBe(1);
    expect(run.via).toBe('callback');
    expect(run.decided).toMatchObject({ outcome: 'allow', reason: 'matched', attempts: 2 });
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('a connection reset before the response, on every attempt, is a network failure', async () => {
    mockToken();
    contacts()
      .times(3)
      .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    const run = await register('Dataverse reset (before the response), every attempt');

    expectOnErrorOutcome(run);
    expect(run.decided).toMatchObject({ failure: 'network', stage: 'dataverse' });
    expect(run.decided['attempts']).toBeGreaterThanOrEqual(2);
  });

  it('a malformed 2xx JSON body is a bad response, and the process survives it', async () => {
    mockToken();
    contacts().reply(200, '{"value": [{"contactid": ', JSON_HEADERS);
    const run = await register('Dataverse malformed 2xx JSON');

    expectOnErrorOutcome(run);
    expect(run.decided).toMatchObject({ failure: 'bad_response', attempts: 1 });
    expect(run.elapsedMs).toBeLessThan(TIMEOUT_MS / 2);
  });

  /** The recorded contact with `change` applied: ordinary CRM data that dynamics-web-api cannot parse. */
  const contactWith = (change: Record<string, unknown>) => {
    const recorded = readFixture('contacts-one.json') as { value: Array<Record<string, unknown>> };
    return JSON.stringify({ ...recorded, value: recorded.value.map((contact) => ({ ...contact, ...change })) });
  };

  // dynamics-web-api throws these from its response listener, outside any promise; the guard
  // attributes them by the request's async context, not by their class or stack.
  it.each([
    ['a first name holding --batchresponse_ (TypeError in parseBatchResponse)', () => contactWith({ firstname: 'Ann --batchresponse_ x' })],
    ['a key shaped like an alias (alias name must be unique)', () => contactWith({ firstname_x002e_y: 'x' })],
    ['a deeply nested body (RangeError: call stack)', () => `{"value":[${'['.repeat(20_000)}${']'.repeat(20_000)}]}`],
  ])('a 2xx with %s is a bad response at once, and the process survives it', async (shape, body) => {
    mockToken();
    contacts().reply(200, body(), JSON_HEADERS);
    const run = await register(`Dataverse 2xx the library cannot parse (${shape.replace(/ \(.*/, '')})`);

    expectOnErrorOutcome(run);
    expect(run.decided).toMatchObject({ failure: 'bad_response', stage: 'dataverse', attempts: 1 });
    expect(run.elapsedMs).toBeLessThan(TIMEOUT_MS / 2);
  });

  it.each([0, 1])('a malformed 2xx JSON body is a bad response at once with Error.stackTraceLimit = %i', async (limit) => {
    mockToken();
    contacts().reply(200, '{"value": [{"contactid": ', JSON_HEADERS);
    const saved = Error.stackTraceLimit;
    Error.stackTraceLimit = limit;
    try {
      const run = await register(`Dataverse malformed 2xx JSON, stackTraceLimit ${limit}`);

      expectOnErrorOutcome(run);
      expect(run.decided).toMatchObject({ failure: 'bad_response', attempts: 1 });
      expect(run.elapsedMs).toBeLessThan(TIMEOUT_MS / 2);
    } finally {
      Error.stackTraceLimit = saved;
    }
  });

  it.each([
    ['no value array', { '@odata.context': `${ORG}${API}/$metadata#contacts`, values: [] }],
    ['a contact id that is not a GUID', { value: [{ contactid: 'contact-1', modifiedon: '2026-10-01T09:30:00Z' }] }],
    ['a plain-text body', 'OK'],
  ])('a 2xx with %s is a bad response', async (shape, body) => {
    mockToken();
    contacts().reply(200, body as nock.Body, typeof body === 'string' ? { 'content-type': 'text/plain' } : JSON_HEADERS);
    const run = await register(`Dataverse 2xx wrong shape (${shape})`);

    expectOnErrorOutcome(run);
    expect(run.decided).toMatchObject({ failure: 'bad_response', attempts: 1 });
  });
});

describe('what a failure leaves behind for the next registration', () => {
  async function twoRegistrations(): Promise<[HookRun, HookRun]> {
    const { hook, unload } = loadBuiltHook(code, strivacityGlobals('ErrorDenyRequest'));
    try {
      const first = await runHook(hook, registrationPayload('ada.lovelace@example.com'));
      const second = await runHook(hook, registrationPayload('ada.lovelace@example.com'));
      return [first, second];
    } finally {
      unload();
    }
  }
  const decidedOf = (run: HookRun) => run.logLines.find((line) => (line as { event?: string }).event === 'registration.decided');

  it('after an Entra 503, msal-node holds token requests back: the next registration fails fast as throttled, sending nothing', async () => {
    const token = entra().reply(503, {
      error: 'temporarily_unavailable',
      error_description: 'AADSTS90033: A transient error has occurred.',
      error_codes: [90033],
    });
    const [first, second] = await twoRegistrations();

    expect(token.isDone()).toBe(true);
    expect(decidedOf(first)).toMatchObject({ failure: 'server', stage: 'token', status: 503 });
    expect(decidedOf(second)).toMatchObject({ failure: 'throttled', stage: 'token' });
    expect(second.elapsedMs).toBeLessThan(TIMEOUT_MS / 2);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('after Dataverse refuses the token (401), the next registration gets a new token instead of the cached one', async () => {
    const tokens: string[] = [];
    entra()
      .times(2)
      .reply(() => {
        tokens.push(`AT-${tokens.length + 1}`);
        return [200, { token_type: 'Bearer', expires_in: 3599, access_token: tokens.at(-1) }];
      });
    const bearers: string[] = [];
    contacts().reply(function () {
      bearers.push(String(this.req.headers['authorization']));
      return [401, '', { 'www-authenticate': 'Bearer error="invalid_token"' }];
    });
    contacts().reply(function () {
      bearers.push(String(this.req.headers['authorization']));
      return [200, readFixture('contacts-one.json') as nock.Body, JSON_HEADERS];
    });
    const [first, second] = await twoRegistrations();

    expect(decidedOf(first)).toMatchObject({ failure: 'auth', status: 401 });
    expect(decidedOf(second)).toMatchObject({ outcome: 'allow', reason: 'matched' });
    expect(bearers).toEqual(['Bearer AT-1', 'Bearer AT-2']);
  });
});

/**
 * Bursts on real sockets, without nock: the built hook runs in a child process (`bench-burst.ts`)
 * against a local stand-in in this one, which counts the connections it accepts.
 */
describe('a burst of concurrent registrations', () => {
  const MAX_CONCURRENT = 10;

  async function burst(fault: string, server: BurstServer, timeoutMs: number, registrations: number, caCertPem?: string): Promise<BurstFigures> {
    try {
      const config = configWith({ dataverse: { url: server.url }, policy: { onError: 'deny', timeoutMs, maxConcurrentRequests: MAX_CONCURRENT } });
      const figures = await runBurst((await buildHook('pre-registration', config)).code, { concurrency: registrations, timeoutMs, caCertPem });
      const failure = `${Object.keys(figures.failures).join('+')} (max latencyMs ${figures.latencyMs.at(-1)}, ${server.connections.opened} connections, waited for CPU ${figures.waitedForCpuMs.toFixed(0)} ms)`;
      measured.push({ fault, outcome: 'deny', failure, ms: figures.answeredMs.at(-1) ?? NaN });
      return figures;
    } finally {
      await server.close();
    }
  }

  function expectEachAnsweredInTime(figures: BurstFigures, registrations: number, timeoutMs: number): void {
    expect(figures.answeredOnce).toBe(registrations);
    expect(figures.latencyMs).toHaveLength(registrations);
    // The contract, for every registration of the burst: the hook's own measure is within the
    // deadline plus 100 ms; from the caller's side, allowing for a loaded CI machine. Time the OS
    // kept the hook's process waiting for a CPU that other processes held is not the hook's own
    // (on a 2-core machine shared with other jobs it reached 300 ms in a 600 ms burst); it is
    // measured (Linux schedstat, from 150 ms before the deadline on) and allowed for; it is 0 on an
    // idle machine.
    const othersMs = figures.waitedForCpuMs;
    expect(figures.latencyMs.at(-1)).toBeLessThanOrEqual(timeoutMs + 100 + othersMs);
    expect(figures.answeredMs.at(-1)).toBeLessThan(timeoutMs + SLACK_MS + othersMs);
  }

  it('400 at once on a Dataverse that never answers: each is answered within its deadline, over no more connections than the cap', async () => {
    const server = await startHangingServer();
    const figures = await burst('burst of 400, Dataverse hang (500 ms)', server, 500, 400);

    expectEachAnsweredInTime(figures, 400, 500);
    expect(figures.failures).toEqual({ timeout: 400 });
    // Only the first ten ever get a slot; the rest leave the queue when their deadline can no
    // longer cover a request, instead of opening a connection only to abort it. (A registration
    // that the OS let start 100 ms or more after the first is not "at once", and may rightly get a
    // slot freed by a first one's deadline: `lateStarts`, normally 0.)
    expect(server.connections.opened).toBeLessThanOrEqual(MAX_CONCURRENT + figures.lateStarts);
    expect(figures.httpsRequests).toBeLessThanOrEqual(MAX_CONCURRENT + figures.lateStarts);
  }, 30_000);

  it('400 at once on a Dataverse that throttles every request with Retry-After: 0: each is answered within its deadline', async () => {
    const tls = createSelfSignedCertificate('127.0.0.1');
    const server = await startThrottlingServer(tls);
    const figures = await burst('burst of 400, Dataverse 429 Retry-After 0', server, TIMEOUT_MS, 400, tls.certPem);

    expectEachAnsweredInTime(figures, 400, TIMEOUT_MS);
    expect(Object.keys(figures.failures).every((failure) => failure === 'throttled' || failure === 'timeout')).toBe(true);
    // Every attempt starts with at least 100 ms left and the stand-in answers in a millisecond, so
    // no request is aborted, no socket destroyed, and the ten keep-alive connections serve them all.
    expect(server.connections.opened).toBeLessThanOrEqual(MAX_CONCURRENT + figures.lateStarts);
  }, 30_000);
});
