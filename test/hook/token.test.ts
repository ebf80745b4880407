/**
 * Token economy: how many token requests the hook sends, when, and what happens when one fails.
 * Every test builds a fresh hook or TokenSource: msal-node keeps a token cache and a throttle cache
 * per ConfidentialClientApplication, so sharing one would leak state between tests.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import nock from 'nock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildHook } from '../../src/build/build-hook.js';
import { AUTHORITY_HOSTS, authorityOf, type Cloud, type ConfigInput, parseResolvedConfig, type ResolvedConfig } from '../../src/hook/config.js';
import { registrationPayload } from '../../src/harness/run-hook.js';
import { HookError } from '../../src/hook/errors.js';
import { createPreRegistrationHook, type PreRegistrationHook } from '../../src/hook/kinds/pre-registration/hook.js';
import { createLogger, type LogLine } from '../../src/hook/log.js';
import { RegistrationData } from '../../src/hook/results.js';
import { readFixture } from '../../src/harness/stand-in.js';
import { renewalDelayMs, TokenSource } from '../../src/hook/token.js';

const TENANT = '11111111-2222-3333-4444-555555555555';
const CONFIG_INPUT = {
  dataverse: { url: 'https://contoso.crm4.dynamics.com' },
  auth: { tenantId: TENANT, clientId: '66666666-7777-8888-9999-000000000000', clientSecretVariable: 'DYNAMICS_CLIENT_SECRET' },
  policy: { notFound: 'allow', onError: 'showError' },
  enrich: { 'name.givenName': 'firstname' },
} satisfies ConfigInput;
const CONFIG = parseResolvedConfig(CONFIG_INPUT);
const TOKEN_PATH = `/${TENANT}/oauth2/v2.0/token`;
const KNOWN_EMAIL = 'ada.lovelace@example.com';
const ODATA_JSON = { 'content-type': 'application/json; odata.metadata=minimal' };

type TokenReply = readonly [number, unknown] | 'network-error';

interface Counts {
  token: number;
  contacts: number;
  /** The bearer token of each Dataverse request, in order. */
  bearers: string[];
}

/**
 * Entra and Dataverse stand-ins. `tokenReplies` answer the token POSTs in order; the last one
 * answers every further POST. `tokenDelayMs` holds each token reply back, so that concurrent
 * registrations really overlap the request in flight.
 */
function standIns(options: { tokenReplies?: readonly TokenReply[]; tokenDelayMs?: number } = {}): Counts {
  const counts: Counts = { token: 0, contacts: 0, bearers: [] };
  const replies = options.tokenReplies ?? [[200, readFixture('token.json')]];
  nock('https://login.microsoftonline.com')
    .persist()
    .post(TOKEN_PATH)
    .query(true)
    .delay(options.tokenDelayMs ?? 0)
    .reply(function () {
      const reply = replies[Math.min(counts.token, replies.length - 1)];
      counts.token += 1;
      if (reply === undefined || reply === 'network-error') {
        // A reset from the server's side, as `replyWithError` would give, per reply.
        this.req.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
        return [500, ''];
      }
      return [reply[0], reply[1] as Record<string, unknown>];
    });
  nock(CONFIG.dataverse.url)
    .persist()
    .get('/api/data/v9.2/contacts')
    .query(true)
    .reply(function () {
      counts.contacts += 1;
      counts.bearers.push(String(this.req.headers['authorization'] ?? ''));
      return [200, readFixture('contacts-one.json'), ODATA_JSON];
    });
  return counts;
}

function tokenReply(accessToken: string, expiresInS = 3599): TokenReply {
  return [200, { token_type: 'Bearer', expires_in: expiresInS, ext_expires_in: expiresInS, access_token: accessToken }];
}

interface Registered {
  readonly via: 'callback' | 'error';
  readonly result: unknown;
}

function register(hook: PreRegistrationHook, email = KNOWN_EMAIL): Promise<Registered> {
  return new Promise((resolve) => {
    void hook(
      registrationPayload(email),
      (result: unknown) => resolve({ via: 'callback', result }),
      (result: unknown) => resolve({ via: 'error', result }),
    );
  });
}

function isShowError(registered: Registered): boolean {
  return registered.via === 'callback' && (registered.result as object).constructor.name.includes('ShowErrorMessage');
}

function loadHook(options: { prefetchToken?: boolean; logLevel?: 'debug' | 'error' } = {}): { hook: PreRegistrationHook; logs: LogLine[] } {
  const logs: LogLine[] = [];
  const hook = createPreRegistrationHook(options.logLevel === undefined ? CONFIG_INPUT : { ...CONFIG_INPUT, logLevel: options.logLevel }, {
    logSink: (line) => logs.push(line),
    readSecret: () => 'test-secret-not-real',
    ...(options.prefetchToken === undefined ? {} : { prefetchToken: options.prefetchToken }),
  });
  return { hook, logs };
}

function tokenSource(config: ResolvedConfig = CONFIG, logs: LogLine[] = []): TokenSource {
  return new TokenSource({
    clientId: config.auth.clientId,
    authority: authorityOf(config),
    resource: config.dataverse.url,
    credential: { clientSecret: 'test-secret-not-real' },
    requestTimeoutMs: config.policy.timeoutMs,
    log: createLogger('debug', (line) => logs.push(line)),
  });
}

const sources: TokenSource[] = [];
afterEach(() => {
  for (const source of sources.splice(0)) source.close();
  vi.useRealTimers();
});

describe('token requests per registration', () => {
  it('a cold hook sends one token request and one Dataverse request for its first registration', async () => {
    const counts = standIns();
    const { hook } = loadHook();

    const registered = await register(hook);

    expect(registered.result).toBeInstanceOf(RegistrationData);
    expect(counts).toMatchObject({ token: 1, contacts: 1 });
  });

  it('a warm hook sends no token request at all: one Dataverse request per registration', async () => {
    const counts = standIns();
    const { hook } = loadHook();
    await register(hook);

    for (let i = 0; i < 20; i += 1) expect((await register(hook)).result).toBeInstanceOf(RegistrationData);

    expect(counts).toMatchObject({ token: 1, contacts: 21 });
  });

  it('50 concurrent registrations on a cold hook share exactly one token request', async () => {
    const counts = standIns({ tokenDelayMs: 50 });
    const { hook } = loadHook({ prefetchToken: false });

    const results = await Promise.all(Array.from({ length: 50 }, () => register(hook)));

    expect(results.every((r) => r.result instanceof RegistrationData)).toBe(true);
    expect(counts).toMatchObject({ token: 1, contacts: 50 });
  });

  it('50 concurrent registrations racing the pre-fetch share its one token request', async () => {
    const counts = standIns({ tokenDelayMs: 50 });
    const { hook } = loadHook();

    const results = await Promise.all(Array.from({ length: 50 }, () => register(hook)));

    expect(results.every((r) => r.result instanceof RegistrationData)).toBe(true);
    expect(counts).toMatchObject({ token: 1, contacts: 50 });
  });
});

describe('pre-fetch at load', () => {
  it('fetches the token when the hook loads, so the first registration makes no token request of its own', async () => {
    // A second token request would be refused, and the registration would fail with it.
    const counts = standIns({ tokenReplies: [tokenReply('AT-prefetched'), [401, readFixture('entra-aadsts7000215.json')]] });
    const { hook } = loadHook();
    await vi.waitFor(() => expect(counts.token).toBe(1));

    const registered = await register(hook);

    expect(registered.result).toBeInstanceOf(RegistrationData);
    expect(counts).toMatchObject({ token: 1, contacts: 1, bearers: ['Bearer AT-prefetched'] });
  });

  it('a failed pre-fetch is logged as an error and the first registration tries again', async () => {
    const counts = standIns({ tokenReplies: ['network-error', tokenReply('AT-second')] });
    const { hook, logs } = loadHook({ logLevel: 'error' });
    await vi.waitFor(() => expect(logs.map((l) => l.event)).toContain('token.prefetch_failed'));

    const registered = await register(hook);

    expect(registered.result).toBeInstanceOf(RegistrationData);
    expect(counts.token).toBe(2);
    expect(counts.bearers).toEqual(['Bearer AT-second']);
    expect(logs.find((l) => l.event === 'token.prefetch_failed')).toMatchObject({ level: 'error', failure: 'network', stage: 'token' });
  });
});

describe('a failed token request', () => {
  it('is shared by every waiter (one request for 50 registrations) and the next registration tries again', async () => {
    const counts = standIns({ tokenReplies: [[401, readFixture('entra-aadsts7000215.json')], tokenReply('AT-after-failure')], tokenDelayMs: 50 });
    const { hook } = loadHook({ prefetchToken: false });

    const failed = await Promise.all(Array.from({ length: 50 }, () => register(hook)));

    expect(failed.every(isShowError)).toBe(true);
    expect(counts).toMatchObject({ token: 1, contacts: 0 });

    const next = await register(hook);

    expect(next.result).toBeInstanceOf(RegistrationData);
    expect(counts).toMatchObject({ token: 2, contacts: 1, bearers: ['Bearer AT-after-failure'] });
  });

  it('is not retried by each waiter during an Entra outage: one request for 50 registrations', async () => {
    const counts = standIns({ tokenReplies: ['network-error', tokenReply('AT-after-outage')], tokenDelayMs: 50 });
    const { hook } = loadHook({ prefetchToken: false });

    const failed = await Promise.all(Array.from({ length: 50 }, () => register(hook)));

    expect(failed.every(isShowError)).toBe(true);
    expect(counts).toMatchObject({ token: 1, contacts: 0 });
    expect((await register(hook)).result).toBeInstanceOf(RegistrationData);
    expect(counts.token).toBe(2);
  });

  it('is not cached as a success: every waiter gets the same classified error', async () => {
    const counts = standIns({ tokenReplies: ['network-error', tokenReply('AT-ok')], tokenDelayMs: 20 });
    const source = tokenSource();
    sources.push(source);

    const waiters = await Promise.allSettled(Array.from({ length: 10 }, () => source.getToken(new AbortController().signal)));

    expect(counts.token).toBe(1);
    const reasons = waiters.map((w) => (w.status === 'rejected' ? (w.reason as unknown) : undefined));
    expect(reasons.every((r) => r === reasons[0])).toBe(true);
    expect(reasons[0]).toBeInstanceOf(HookError);
    expect(reasons[0]).toMatchObject({ code: 'network', stage: 'token', message: 'The token request failed.' });

    await expect(source.getToken(new AbortController().signal)).resolves.toBe('AT-ok');
    expect(counts.token).toBe(2);
  });
});

describe('background renewal', () => {
  // MSAL decides expiry with `Date`, the renewal waits with `setTimeout`: both are faked.
  const fakeClock = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: new Date('2026-11-22T10:00:00Z') });

  it('renews the token before it expires, so no registration waits for a token', async () => {
    fakeClock();
    const counts = standIns({ tokenReplies: [tokenReply('AT-first'), tokenReply('AT-renewed')] });
    const { hook } = loadHook();
    await vi.waitFor(() => expect(counts.token).toBe(1));
    expect((await register(hook)).result).toBeInstanceOf(RegistrationData);

    // The token lives 3599 s; the renewal is due 10 minutes before expiry.
    await vi.advanceTimersByTimeAsync(2998_000);
    expect(counts.token).toBe(1);
    await vi.advanceTimersByTimeAsync(2_000);
    await vi.waitFor(() => expect(counts.token).toBe(2));

    // 59 minutes after load, past the first token's expiry: served by the renewed token.
    await vi.advanceTimersByTimeAsync(9 * 60_000);
    expect((await register(hook)).result).toBeInstanceOf(RegistrationData);
    expect(counts.bearers).toEqual(['Bearer AT-first', 'Bearer AT-renewed']);
    expect(counts.token).toBe(2);
  });

  it('retries a failed renewal later while the old token still serves registrations', async () => {
    fakeClock();
    const counts = standIns({ tokenReplies: [tokenReply('AT-first'), 'network-error', tokenReply('AT-renewed')] });
    const { hook, logs } = loadHook();
    await vi.waitFor(() => expect(counts.token).toBe(1));
    await vi.advanceTimersByTimeAsync(1);

    await vi.advanceTimersByTimeAsync(3000_000);
    await vi.waitFor(() => expect(logs.map((l) => l.event)).toContain('token.renewal_failed'));
    expect(counts.token).toBe(2);
    expect(logs.find((l) => l.event === 'token.renewal_failed')).toMatchObject({ level: 'error', failure: 'network', stage: 'token' });

    // Between the failure and the retry, registrations use the old token without asking Entra.
    expect((await register(hook)).result).toBeInstanceOf(RegistrationData);
    expect(counts.token).toBe(2);

    await vi.advanceTimersByTimeAsync(30_000);
    await vi.waitFor(() => expect(counts.token).toBe(3));
    await vi.advanceTimersByTimeAsync(1);
    expect((await register(hook)).result).toBeInstanceOf(RegistrationData);
    expect(counts.bearers).toEqual(['Bearer AT-first', 'Bearer AT-renewed']);
  });
});

describe('renewalDelayMs: token lifetimes an attacker or a broken Entra could send', () => {
  it('renews an hour-long token 10 minutes before it expires', () => {
    expect(renewalDelayMs(3_600_000)).toBe(3_000_000);
  });

  it.each([
    ['34 days', 34 * 86_400_000],
    ['1e12 seconds', 1e15],
    ['Infinity', Number.POSITIVE_INFINITY],
  ])('caps a lifetime of %s at the longest delay a timer holds (Node fires longer ones after 1 ms)', (_label, lifetimeMs) => {
    expect(renewalDelayMs(lifetimeMs)).toBe(2 ** 31 - 1);
  });

  it.each([
    ['0', 0],
    ['negative', -100_000],
    ['90 s', 90_000],
    ['NaN', Number.NaN],
  ])('does not renew in the background a lifetime of %s (it would renew every second, forever)', (_label, lifetimeMs) => {
    expect(renewalDelayMs(lifetimeMs)).toBeUndefined();
  });
});

describe('the token request', () => {
  it('never follows a redirect: the form body holds client_secret, and a token from elsewhere is not trusted', async () => {
    const inits: RequestInit[] = [];
    const spy: typeof fetch = (input, init) => {
      inits.push(init ?? {});
      return fetch(input, init);
    };
    standIns();
    const source = new TokenSource({
      clientId: CONFIG.auth.clientId,
      authority: authorityOf(CONFIG),
      resource: CONFIG.dataverse.url,
      credential: { clientSecret: 'test-secret-not-real' },
      requestTimeoutMs: 5000,
      log: createLogger('error', () => undefined),
      fetch: spy,
    });
    await source.getToken(AbortSignal.timeout(5000));
    source.close();
    expect(inits.filter((init) => init.method === 'POST').map((init) => init.redirect)).toEqual(['error']);
  });
});

describe('timers', () => {
  it("the renewal timer is unref'd", async () => {
    const timers: NodeJS.Timeout[] = [];
    const realSetTimeout = globalThis.setTimeout;
    vi.spyOn(globalThis, 'setTimeout').mockImplementation(((handler: () => void, delayMs?: number) => {
      const timer = realSetTimeout(handler, delayMs);
      if ((delayMs ?? 0) >= 60_000) timers.push(timer);
      return timer;
    }) as typeof setTimeout);
    standIns();
    const source = tokenSource();
    sources.push(source);

    await source.getToken(new AbortController().signal);

    expect(timers).toHaveLength(1);
    expect(timers[0]?.hasRef()).toBe(false);
  });

  it('a process that loaded the built hook and served a registration exits on its own', async () => {
    const { code } = await buildHook('pre-registration', CONFIG_INPUT);
    const dir = mkdtempSync(join(tmpdir(), 'hook-exit-'));
    try {
      const hookFile = join(dir, 'hook.js');
      writeFileSync(hookFile, code);
      const child = spawnSync(
        process.execPath,
        ['--import', 'tsx', fileURLToPath(new URL('../support/serve-one-registration.ts', import.meta.url)), hookFile, JSON.stringify(CONFIG_INPUT)],
        {
          cwd: fileURLToPath(new URL('../..', import.meta.url)),
          env: { ...process.env, DYNAMICS_CLIENT_SECRET: 'test-secret-not-real', NODE_OPTIONS: '' },
          encoding: 'utf8',
          // Generous: the child only has to load tsx, the hook and its packages. A pending ref'd
          // timer (the renewal is due in ~50 minutes) would run into this limit.
          timeout: 15_000,
        },
      );
      expect(child.error).toBeUndefined();
      expect(child.signal).toBeNull();
      expect(child.stdout.trim().split('\n').at(-1)).toBe('answered RegistrationData; token requests 1; lookups 1');
      expect(child.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the token request makes no metadata or discovery call', () => {
  const DATAVERSE_URL: Record<Cloud, string> = {
    public: 'https://contoso.crm4.dynamics.com',
    usgov: 'https://contoso.crm.microsoftdynamics.us',
    china: 'https://contoso.crm.dynamics.cn',
  };

  it.each(['public', 'usgov', 'china'] as const)('%s cloud: only the token POST reaches the network', async (cloud) => {
    const config = parseResolvedConfig({ ...CONFIG_INPUT, dataverse: { url: DATAVERSE_URL[cloud] } });
    const unmatched: string[] = [];
    const onNoMatch = (req: { method?: string; href?: string; path?: string; hostname?: string }) =>
      unmatched.push(`${req.method ?? ''} ${req.href ?? `${req.hostname ?? ''}${req.path ?? ''}`}`);
    nock.emitter.on('no match', onNoMatch);
    const seen: string[] = [];
    const scope = nock(`https://${AUTHORITY_HOSTS[cloud]}`)
      .post(TOKEN_PATH)
      .query(true)
      .reply(function (uri) {
        seen.push(`POST ${this.req.headers['host'] ?? ''}${uri.replace(/\?.*$/, '')}`);
        return [200, readFixture('token.json')];
      });
    const source = tokenSource(config);
    sources.push(source);
    try {
      await expect(source.getToken(new AbortController().signal)).resolves.toMatch(/^eyJ/);
    } finally {
      nock.emitter.removeListener('no match', onNoMatch);
    }

    expect(scope.isDone()).toBe(true);
    expect(unmatched).toEqual([]);
    expect(seen).toEqual([`POST ${AUTHORITY_HOSTS[cloud]}${TOKEN_PATH}`]);
    expect(source.requests).toBe(1);
  });
});

describe('invalidate, after Dataverse refused a token', () => {
  it("drops the cached token only if it is the one refused, and then bypasses MSAL's cache", async () => {
    const counts = standIns({ tokenReplies: [tokenReply('AT-1'), tokenReply('AT-2')] });
    const source = tokenSource();
    sources.push(source);
    const signal = new AbortController().signal;

    expect(await source.getToken(signal)).toBe('AT-1');
    source.invalidate('AT-older-one-refused-late');
    expect(await source.getToken(signal)).toBe('AT-1');
    expect(counts.token).toBe(1);

    source.invalidate('AT-1');
    expect(await source.getToken(signal)).toBe('AT-2');
    expect(counts.token).toBe(2);
  });
});
