/**
 * The BUILT sign-in gate (post-identification), loaded as Strivacity loads it, with real msal-node
 * and dynamics-web-api against nock: every decision path, the link kept on the account, the shared
 * 429 hold and the single lookup for concurrent sign-ins of one person.
 */
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildHook } from '../../src/build/build-hook.js';
import type { ConfigInput } from '../../src/hook/config.js';
import { postIdentificationPayload } from '../../src/build/kinds/post-identification.js';
import { type DenyGlobal, loadBuiltHook, StrivacityDenyRequest, strivacityGlobals, StrivacityShowErrorMessage } from '../../src/harness/load-hook.js';
import { readFixture } from '../../src/harness/stand-in.js';
import { ACCESS_TOKEN, API, BASE_CONFIG, callHook, configWith, JSON_HEADERS, mockContacts, mockToken, ORG, SECRET, useBuiltHooks } from '../support/helpers.js';

const ADA_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const GATE = configWith({ lookup: { where: { msdyn_portalaccess: true } }, link: { attribute: 'custom.dynamicsContactId' } });

const builds = new Map<string, Promise<string>>();
function codeFor(config: ConfigInput): Promise<string> {
  const key = JSON.stringify(config);
  if (!builds.has(key))
    builds.set(
      key,
      buildHook('post-identification', config).then((built) => built.code),
    );
  return builds.get(key) as Promise<string>;
}

let logged: string[] = [];
beforeEach(() => {
  logged = [];
  for (const method of ['log', 'error'] as const)
    vi.spyOn(console, method).mockImplementation((...parts: unknown[]) => void logged.push(parts.map(String).join(' ')));
});
afterEach(() => {
  for (const forbidden of [SECRET, ACCESS_TOKEN, 'lovelace@example.com', 'Lovelace', 'new.person@example.com', 'Hopper']) {
    expect(logged.join('\n').toLowerCase()).not.toContain(forbidden.toLowerCase());
  }
  nock.cleanAll();
});
const decided = () => logged.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['event'] === 'login.decided');

const builtHooks = useBuiltHooks();
async function load(config: ConfigInput = GATE, deny: DenyGlobal = 'ErrorDenyRequest') {
  const { hook, unload } = loadBuiltHook(await codeFor(config), strivacityGlobals(deny));
  builtHooks.track(unload);
  return hook;
}

/** A contact as `GET contacts(<id>)` returns it, with some columns changed. */
function byIdBody(changes: Record<string, unknown> = {}): nock.Body {
  return { ...(readFixture('contact-by-id.json') as Record<string, unknown>), ...changes } as nock.Body;
}
function mockById(reply: { status: number; body: nock.Body }, selects: string[] = []): nock.Scope {
  return nock(ORG)
    .get(`${API}/contacts(${ADA_ID})`)
    .query((query) => {
      selects.push(String(query['$select']));
      return true;
    })
    .reply(reply.status, reply.body, JSON_HEADERS);
}
/** contacts-one.json with the entitlement column set. */
function mockEntitledByEmail(portalAccess: boolean, filters: string[] = [], selects: string[] = []): nock.Scope {
  const recorded = readFixture('contacts-one.json') as { value: Array<Record<string, unknown>> };
  return nock(ORG)
    .get(`${API}/contacts`)
    .query((query) => {
      filters.push(String(query['$filter']));
      selects.push(String(query['$select']));
      return true;
    })
    .reply(200, { ...recorded, value: recorded.value.map((contact) => ({ ...contact, msdyn_portalaccess: portalAccess })) } as nock.Body, JSON_HEADERS);
}

type Allowed = {
  constructor: { name: string };
  authentication: string;
  session: Record<string, unknown>;
  allowRememberedAuthenticators: boolean;
  authenticatorsToIgnore: unknown[];
};

describe('the built post-identification hook: by email', () => {
  it('allows one active, entitled contact with AllowAuthentication, and the session carries the link again', async () => {
    const token = mockToken();
    const filters: string[] = [];
    const selects: string[] = [];
    const contacts = mockEntitledByEmail(true, filters, selects);
    const payload = postIdentificationPayload(' Ada.Lovelace@example.com ');
    (payload['session'] as Record<string, unknown>)['dynamics'] = { contactId: '7c9e6679-7425-40de-944b-e07fc1f90ae7', linkHash: 'stale' };

    const { calls } = await callHook(await load(), payload);

    expect(calls).toHaveLength(1);
    expect(calls[0]?.via).toBe('callback');
    const allowed = calls[0]?.value as Allowed;
    expect(allowed.constructor.name).toBe('AllowAuthentication');
    expect(allowed).toMatchObject({ authentication: 'ALLOW', allowRememberedAuthenticators: true, authenticatorsToIgnore: [] });
    expect(allowed.session).toEqual({ journey: 'login', dynamics: { contactId: ADA_ID, linkHash: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    expect(filters).toEqual(["emailaddress1 eq 'Ada.Lovelace@example.com' and statecode eq 0"]);
    // The rule's column is selected in the same, single request.
    expect(selects[0]?.split(',')).toContain('msdyn_portalaccess');
    expect(token.isDone() && contacts.isDone()).toBe(true);
    expect(decided()).toEqual([
      {
        level: 'info',
        event: 'login.decided',
        hook: 'post-identification',
        outcome: 'allow',
        reason: 'matched',
        latencyMs: expect.any(Number),
        attempts: 1,
        emailHash: expect.stringMatching(/^[0-9a-f]{12}$/),
        matches: 1,
      },
    ]);
  });

  it('answers no contact by login.notFound: showError by default, with the sign-in message and no link', async () => {
    mockToken();
    mockContacts('contacts-none.json');
    const payload = postIdentificationPayload('new.person@example.com');
    (payload['session'] as Record<string, unknown>)['dynamics'] = { contactId: ADA_ID, linkHash: 'x' };

    const { calls } = await callHook(await load(), payload);

    expect(calls).toStrictEqual([
      {
        via: 'callback',
        value: new StrivacityShowErrorMessage('We could not find an active customer record for this account. Please contact support.', { journey: 'login' }),
      },
    ]);
    expect(decided()[0]).toMatchObject({ level: 'info', outcome: 'showError', reason: 'not_found', matches: 0 });
  });

  it('denies through error() with the runtime DenyRequest when login.notFound is deny', async () => {
    mockToken();
    mockContacts('contacts-none.json');
    const { calls } = await callHook(
      await load(configWith({ ...GATE, login: { notFound: 'deny' } }), 'DenyRequest'),
      postIdentificationPayload('new.person@example.com'),
    );

    expect(calls).toStrictEqual([
      {
        via: 'error',
        value: new StrivacityDenyRequest('access_denied', 'We could not find an active customer record for this account. Please contact support.'),
      },
    ]);
  });

  it('answers a contact failing lookup.where as not_entitled by login.notEntitled, in the first ui_locale the config has', async () => {
    mockToken();
    mockEntitledByEmail(false);
    const config = configWith({ ...GATE, messages: { en: {}, de: { loginNotEntitled: 'Ihr Kundenkonto erlaubt keine Anmeldung.' } } });

    const { calls } = await callHook(await load(config), postIdentificationPayload('ada.lovelace@example.com', { locales: ['fr', 'de-DE'] }));

    expect(calls).toStrictEqual([{ via: 'callback', value: new StrivacityShowErrorMessage('Ihr Kundenkonto erlaubt keine Anmeldung.', { journey: 'login' }) }]);
    expect(decided()[0]).toMatchObject({ outcome: 'showError', reason: 'not_entitled', matches: 1 });
  });

  it('follows policy.multipleMatches for several contacts: the most recent by default, showError when set', async () => {
    mockToken();
    mockContacts('contacts-two.json');
    const { calls } = await callHook(await load(BASE_CONFIG), postIdentificationPayload('grace@example.com'));
    expect((calls[0]?.value as Allowed).session['dynamics']).toMatchObject({ contactId: '7c9e6679-7425-40de-944b-e07fc1f90ae7' });
    expect(decided()[0]).toMatchObject({ outcome: 'allow', reason: 'matched_most_recent', matches: 2 });

    mockToken();
    mockContacts('contacts-two.json');
    const strict = await callHook(await load(configWith({ policy: { multipleMatches: 'showError' } })), postIdentificationPayload('grace@example.com'));
    expect(strict.calls).toStrictEqual([
      { via: 'callback', value: new StrivacityShowErrorMessage('We could not verify your account. Please contact support.', { journey: 'login' }) },
    ]);
  });
});

describe('the built post-identification hook: failures', () => {
  it('allows by default when Dataverse fails (login.onError: allow), logging the outage at error', async () => {
    mockToken();
    mockContacts('dataverse-500.json', [], 500);
    mockContacts('dataverse-500.json', [], 500);
    mockContacts('dataverse-500.json', [], 500);

    const { calls } = await callHook(await load(), postIdentificationPayload('ada.lovelace@example.com'));

    expect((calls[0]?.value as Allowed).constructor.name).toBe('AllowAuthentication');
    expect((calls[0]?.value as Allowed).session).toEqual({ journey: 'login' });
    expect(decided()[0]).toMatchObject({ level: 'error', outcome: 'allow', reason: 'lookup_failed', failure: 'server', status: 500 });
  });

  it('answers a token failure by login.onError when set to showError, with the sign-in unavailable message', async () => {
    const refusal = readFixture('entra-aadsts7000215.json') as { status: number; body: unknown };
    mockToken(refusal);
    mockToken(refusal);

    const { calls } = await callHook(
      await load(configWith({ ...GATE, login: { onError: 'showError' } })),
      postIdentificationPayload('ada.lovelace@example.com'),
    );

    expect(calls).toStrictEqual([
      {
        via: 'callback',
        value: new StrivacityShowErrorMessage('Sign-in is temporarily unavailable. Please try again in a few minutes.', { journey: 'login' }),
      },
    ]);
    expect(decided()[0]).toMatchObject({ level: 'error', outcome: 'showError', reason: 'lookup_failed', failure: 'auth', stage: 'token', aadsts: 7000215 });
  });

  it('answers within login.timeoutMs when Dataverse hangs, by login.onError', async () => {
    mockToken();
    nock(ORG)
      .get(`${API}/contacts`)
      .query(true)
      .delay(10_000)
      .reply(200, readFixture('contacts-one.json') as nock.Body, JSON_HEADERS);
    const hook = await load(configWith({ ...GATE, login: { timeoutMs: 400 } }));

    const startedAt = Date.now();
    const { calls } = await callHook(hook, postIdentificationPayload('ada.lovelace@example.com'));

    expect(Date.now() - startedAt).toBeLessThan(3000);
    expect((calls[0]?.value as Allowed).constructor.name).toBe('AllowAuthentication');
    expect(decided()[0]).toMatchObject({ level: 'error', outcome: 'allow', reason: 'lookup_failed', failure: 'timeout' });
  });

  it('answers arguments without an email by login.onError, asking Dataverse nothing, and logs it at error', async () => {
    mockToken();
    const { calls } = await callHook(await load(), postIdentificationPayload('+442079460018'));

    expect((calls[0]?.value as Allowed).authentication).toBe('ALLOW');
    expect(decided()[0]).toEqual({
      level: 'error',
      event: 'login.decided',
      hook: 'post-identification',
      outcome: 'allow',
      reason: 'no_email',
      latencyMs: expect.any(Number),
      attempts: 0,
    });
  });

  it('fails closed with the generic sign-in message when its config is invalid', async () => {
    const code = (await codeFor(GATE)).replace('"onError": "allow"', '"onError": "open"');
    const { hook, unload } = loadBuiltHook(code, strivacityGlobals());
    builtHooks.track(unload);

    const { calls } = await callHook(hook, postIdentificationPayload('ada.lovelace@example.com'));

    expect(calls).toStrictEqual([
      { via: 'callback', value: new StrivacityShowErrorMessage('Sign-in is temporarily unavailable. Please try again in a few minutes.', {}) },
    ]);
    expect(decided()[0]).toMatchObject({ level: 'error', reason: 'config_invalid', failure: 'config' });
  });
});

describe('the built post-identification hook: the contact id kept on the account (link.attribute)', () => {
  it('reads the contact by id, with the rule, state and email columns selected (no enrich: the gate copies nothing), and allows without an email query', async () => {
    mockToken();
    const selects: string[] = [];
    const byId = mockById({ status: 200, body: byIdBody() }, selects);

    const { calls } = await callHook(await load(), postIdentificationPayload('ada.lovelace@example.com ', { contactId: ADA_ID }));

    expect((calls[0]?.value as Allowed).session['dynamics']).toMatchObject({ contactId: ADA_ID });
    expect(selects[0]?.split(',').sort()).toEqual(['contactid', 'emailaddress1', 'modifiedon', 'msdyn_portalaccess', 'statecode']);
    expect(byId.isDone()).toBe(true);
    expect(decided()[0]).toMatchObject({ outcome: 'allow', reason: 'matched', link: 'followed', attempts: 1 });
  });

  it('reads the id from customer.info.attributes too', async () => {
    mockToken();
    mockById({ status: 200, body: byIdBody() });
    const payload = postIdentificationPayload('ada.lovelace@example.com');
    (payload['customer'] as { info: Record<string, unknown> }).info['attributes'] = { custom: { dynamicsContactId: ADA_ID } };

    await callHook(await load(), payload);

    expect(decided()[0]).toMatchObject({ outcome: 'allow', link: 'followed' });
  });

  it('ignores a linked contact whose emails are not the one signing in, and looks the email up instead', async () => {
    mockToken();
    mockById({ status: 200, body: byIdBody({ emailaddress1: 'someone.else@example.com' }) });
    const filters: string[] = [];
    mockContacts('contacts-none.json', filters);

    const { calls } = await callHook(await load(), postIdentificationPayload('ada.lovelace@example.com', { contactId: ADA_ID }));

    expect(filters).toEqual(["emailaddress1 eq 'ada.lovelace@example.com' and statecode eq 0"]);
    expect((calls[0]?.value as { constructor: { name: string } }).constructor.name).toBe('StrivacityShowErrorMessage');
    expect(decided()[0]).toMatchObject({ outcome: 'showError', reason: 'not_found', link: 'ignored_link', attempts: 2 });
  });

  it('never puts an id that is not a GUID into a request path: ignored, then the email decides', async () => {
    mockToken();
    mockEntitledByEmail(true);
    await callHook(await load(), postIdentificationPayload('ada.lovelace@example.com', { contactId: "x') or (1 eq 1" }));
    expect(decided()[0]).toMatchObject({ outcome: 'allow', reason: 'matched', link: 'ignored_link', attempts: 1 });
  });

  it('takes a 404 on the id as not found, not as an outage', async () => {
    mockToken();
    mockById({ status: 404, body: readFixture('dataverse-404-contact.json') as nock.Body });

    const { calls } = await callHook(await load(), postIdentificationPayload('ada.lovelace@example.com', { contactId: ADA_ID }));

    expect((calls[0]?.value as { error_message: string }).error_message).toBe(
      'We could not find an active customer record for this account. Please contact support.',
    );
    expect(decided()[0]).toMatchObject({ level: 'info', outcome: 'showError', reason: 'not_found', link: 'link_not_found' });
  });

  it('answers an inactive linked contact by login.notFound', async () => {
    mockToken();
    mockById({ status: 200, body: byIdBody({ statecode: 1 }) });
    await callHook(
      await load(configWith({ ...GATE, login: { notFound: 'deny' } })),
      postIdentificationPayload('ada.lovelace@example.com', { contactId: ADA_ID }),
    );
    expect(decided()[0]).toMatchObject({ outcome: 'deny', reason: 'inactive', link: 'followed', matches: 0 });
  });

  it('answers a linked contact failing lookup.where as not_entitled', async () => {
    mockToken();
    mockById({ status: 200, body: byIdBody({ msdyn_portalaccess: false }) });
    await callHook(await load(), postIdentificationPayload('ada.lovelace@example.com', { contactId: ADA_ID }));
    expect(decided()[0]).toMatchObject({ outcome: 'showError', reason: 'not_entitled', link: 'followed' });
  });
});

describe('the built post-identification hook under login traffic', () => {
  it('after a 429 with Retry-After, answers work whose deadline ends inside the hold at once, as throttled, sending nothing', async () => {
    mockToken();
    const throttled = nock(ORG)
      .get(`${API}/contacts`)
      .query(true)
      .reply(429, readFixture('dataverse-429.json') as nock.Body, { ...JSON_HEADERS, 'retry-after': '30' });
    const unmatched: unknown[] = [];
    const onNoMatch = (request: unknown) => unmatched.push(request);
    nock.emitter.on('no match', onNoMatch);
    const hook = await load();

    try {
      await callHook(hook, postIdentificationPayload('ada.lovelace@example.com'));
      const startedAt = Date.now();
      const later = await Promise.all(['grace@example.com', 'new.person@example.com'].map((email) => callHook(hook, postIdentificationPayload(email))));

      expect(Date.now() - startedAt).toBeLessThan(1000);
      expect(later.map(({ calls }) => (calls[0]?.value as Allowed).authentication)).toEqual(['ALLOW', 'ALLOW']);
      expect(throttled.isDone()).toBe(true);
      expect(unmatched).toEqual([]);
      expect(decided().map((line) => [line['reason'], line['failure'], line['status']])).toEqual([
        ['throttled', 'throttled', 429],
        ['throttled', 'throttled', undefined],
        ['throttled', 'throttled', undefined],
      ]);
    } finally {
      nock.emitter.removeListener('no match', onNoMatch);
    }
  });

  it('starts no request of another sign-in until the hold ends, then serves both', async () => {
    mockToken();
    const arrivals: number[] = [];
    nock(ORG)
      .get(`${API}/contacts`)
      .query(true)
      .reply(() => {
        arrivals.push(Date.now());
        return [429, readFixture('dataverse-429.json') as nock.Body, { ...JSON_HEADERS, 'retry-after': '2' }];
      });
    nock(ORG)
      .get(`${API}/contacts`)
      .query(true)
      .times(2)
      .reply(() => {
        arrivals.push(Date.now());
        return [200, readFixture('contacts-none.json') as nock.Body, JSON_HEADERS];
      });
    const hook = await load(configWith({ ...GATE, login: { timeoutMs: 8000 } }));

    const first = callHook(hook, postIdentificationPayload('ada.lovelace@example.com'));
    await vi.waitUntil(() => arrivals.length === 1, { timeout: 5000 });
    // Let the 429 reach the hook: a request sent before it arrived could not have known of the hold.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const second = callHook(hook, postIdentificationPayload('grace@example.com'));
    await Promise.all([first, second]);

    expect(arrivals).toHaveLength(3);
    const [throttledAt = 0, ...after] = arrivals;
    // Retry-After is 2 s: nothing reached Dataverse before it ended (a few ms for timer rounding).
    for (const at of after) expect(at - throttledAt).toBeGreaterThanOrEqual(1990);
    expect(decided().map((line) => line['reason'])).toEqual(['not_found', 'not_found']);
  });

  it('starts no request for a sign-in queued behind the cap when the request ahead of it gets a 429', async () => {
    mockToken();
    let release = () => undefined as void;
    const replyGate = new Promise<void>((resolve) => (release = resolve));
    let arrivals = 0;
    nock(ORG)
      .get(`${API}/contacts`)
      .query(true)
      .reply(async () => {
        arrivals += 1;
        await replyGate;
        return [429, readFixture('dataverse-429.json') as nock.Body, { ...JSON_HEADERS, 'retry-after': '30' }];
      });
    const unmatched: unknown[] = [];
    const onNoMatch = (request: unknown) => unmatched.push(request);
    nock.emitter.on('no match', onNoMatch);
    const hook = await load(configWith({ ...GATE, policy: { maxConcurrentRequests: 1 } }));

    try {
      const first = callHook(hook, postIdentificationPayload('ada.lovelace@example.com'));
      await vi.waitUntil(() => arrivals === 1, { timeout: 5000 });
      // The one slot is taken by the request in flight: this sign-in waits in the limiter's queue.
      // The slot is handed on as that request fails, which must not be before the hold is known.
      const second = callHook(hook, postIdentificationPayload('grace@example.com'));
      await new Promise((resolve) => setTimeout(resolve, 200));
      release();
      await Promise.all([first, second]);

      // Before the fix, the queued sign-in's request went out (to no interceptor) on the 429's heels.
      expect(unmatched.length).toBe(0);
      expect(arrivals).toBe(1);
      expect(
        decided()
          .map((line) => `${String(line['reason'])} ${String(line['failure'])} ${String(line['status'])}`)
          .sort(),
      ).toEqual(['throttled throttled 429', 'throttled throttled undefined']);
    } finally {
      nock.emitter.removeListener('no match', onNoMatch);
    }
  });

  it('makes one lookup for concurrent sign-ins of one person', async () => {
    mockToken();
    const contacts = mockEntitledByEmail(true);
    const hook = await load();

    const runs = await Promise.all([1, 2, 3].map(() => callHook(hook, postIdentificationPayload('ada.lovelace@example.com'))));

    expect(runs.map(({ calls }) => (calls[0]?.value as Allowed).session['dynamics'])).toEqual(
      [1, 2, 3].map(() => ({ contactId: ADA_ID, linkHash: expect.stringMatching(/^[0-9a-f]{64}$/) })),
    );
    expect(contacts.isDone()).toBe(true);
    const lines = decided();
    expect(lines.map((line) => [line['attempts'], line['joined']])).toEqual([
      [1, undefined],
      [0, true],
      [0, true],
    ]);
  });
});
