/**
 * The pre-registration hook from its sources: the answer Strivacity gets (which callback, which
 * result class, which session) and the one `registration.decided` line, for each kind of lookup
 * outcome, for an invalid config, and for a payload that breaks the hook half-way.
 * Real msal-node and dynamics-web-api against nock stand-ins for Entra and Dataverse.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_MESSAGES } from '../../src/hook/config.js';
import * as decideModule from '../../src/hook/decide.js';
import { linkHash } from '../../src/hook/link.js';
import { emailHash, type LogLine } from '../../src/hook/log.js';
import { createPreRegistrationHook, type PreRegistrationHook } from '../../src/hook/kinds/pre-registration/hook.js';
import { RegistrationData } from '../../src/hook/results.js';
import { BASE_CONFIG, callHook, captureLog, configWith, mockContacts, mockToken, TENANT } from '../support/helpers.js';

// The real `decide`, which one test replaces by a throwing one to reach the hook's last resort.
vi.mock('../../src/hook/decide.js', async (importOriginal) => {
  const real = await importOriginal<typeof decideModule>();
  return { ...real, decide: vi.fn(real.decide) };
});

const ADA = 'ada.lovelace@example.com';
const ADA_ID = '0f8fad5b-d9cb-469f-a165-70867728950e'; // contacts-one.json
const STALE_LINK = { contactId: '5a7e1c2b-0d3f-4e8a-9b6c-2f1d0e9c8b7a', linkHash: 'f'.repeat(64) };

/** A pre-registration payload whose session holds a journey key and a stale link from an earlier attempt. */
function payload(email: unknown, overrides: { attributes?: Record<string, unknown> } = {}): Record<string, unknown> {
  return {
    application: { name: 'Brand Web', client_id: 'brand-web' },
    oidc_context: { acr_values: [], ui_locales: ['en'] },
    customer: {
      attributes: overrides.attributes ?? { emails: { primaryEmail: email }, name: { givenName: '', familyName: '' } },
      identifiers: {},
      consents: [],
    },
    session: { journey: 'register', dynamics: STALE_LINK },
  };
}

/** A fresh hook per test: msal-node's token and throttle caches live in the loaded hook. */
function loadHook(config: unknown = BASE_CONFIG): { hook: PreRegistrationHook; lines: LogLine[] } {
  const log = captureLog();
  const hook = createPreRegistrationHook(config, { logSink: log.sink, readSecret: () => 'test-secret-not-real', prefetchToken: false });
  return { hook, lines: log.lines };
}

/** The one `registration.decided` line. */
function decidedLine(lines: readonly LogLine[]): LogLine {
  const decided = lines.filter((line) => line.event === 'registration.decided');
  expect(decided).toHaveLength(1);
  return decided[0] as LogLine;
}

/** What a ShowErrorMessage result holds (the local class: the runtime's global is absent here). */
function showError(message: string, session: Record<string, unknown>): unknown {
  return expect.objectContaining({ constructor: expect.objectContaining({ name: 'LocalShowErrorMessage' }), error_message: message, session });
}

afterEach(() => {
  vi.useRealTimers();
  vi.mocked(decideModule.decide).mockReset();
});

describe('pre-registration hook: a contact is found', () => {
  it('allows the registration, completes the attributes from the contact and links it in the session', async () => {
    const token = mockToken();
    const filters: string[] = [];
    const contacts = mockContacts('contacts-one.json', filters);
    const { hook, lines } = loadHook();

    const { calls, returned } = await callHook(hook, payload(ADA));

    expect(returned).toBeUndefined();
    expect(calls).toHaveLength(1);
    expect(calls[0]?.via).toBe('callback');
    expect(calls[0]?.value).toStrictEqual(
      new RegistrationData(
        { emails: { primaryEmail: ADA }, name: { givenName: 'Ada', familyName: 'Lovelace' }, phoneNumbers: { primaryPhoneNumber: '+44 20 7946 0018' } },
        [],
        { journey: 'register', dynamics: { contactId: ADA_ID, linkHash: linkHash(TENANT, ADA_ID, ADA) } },
      ),
    );
    expect(filters).toEqual([`emailaddress1 eq '${ADA}' and statecode eq 0`]);
    token.done();
    contacts.done();
    expect(lines).toEqual([
      {
        level: 'info',
        event: 'registration.decided',
        hook: 'pre-registration',
        outcome: 'allow',
        reason: 'matched',
        latencyMs: expect.any(Number),
        attempts: 1,
        emailHash: emailHash(ADA, TENANT),
        matches: 1,
      },
    ]);
  });

  it('logs each contact value it left out, by column and problem, at warn, next to the decision', async () => {
    mockToken();
    mockContacts('contacts-one.json');
    const { hook, lines } = loadHook(configWith({ policy: { timeoutMs: 1500, maxValueLength: 3 } }));

    const { calls } = await callHook(hook, payload(ADA));

    const result = calls[0]?.value as RegistrationData;
    expect(result.attributes).toEqual({ emails: { primaryEmail: ADA }, name: { givenName: 'Ada', familyName: '' } });
    expect(lines.filter((line) => line.event !== 'registration.decided')).toEqual([
      { level: 'warn', event: 'registration.value_skipped', hook: 'pre-registration', column: 'lastname', problem: 'too_long' },
      { level: 'warn', event: 'registration.value_skipped', hook: 'pre-registration', column: 'mobilephone', problem: 'too_long' },
    ]);
    expect(decidedLine(lines)).toMatchObject({ level: 'info', outcome: 'allow', reason: 'matched' });
  });
});

describe('pre-registration hook: no contact is found', () => {
  it('allows by default, with the stale link removed from the session and `matches: 0` in the log', async () => {
    mockToken();
    mockContacts('contacts-none.json');
    const { hook, lines } = loadHook();

    const { calls } = await callHook(hook, payload(ADA));

    expect(calls).toHaveLength(1);
    expect(calls[0]?.via).toBe('callback');
    expect(calls[0]?.value).toStrictEqual(
      new RegistrationData({ emails: { primaryEmail: ADA }, name: { givenName: '', familyName: '' } }, [], { journey: 'register' }),
    );
    expect(lines).toEqual([
      {
        level: 'info',
        event: 'registration.decided',
        hook: 'pre-registration',
        outcome: 'allow',
        reason: 'not_found',
        latencyMs: expect.any(Number),
        attempts: 1,
        emailHash: emailHash(ADA, TENANT),
        matches: 0,
      },
    ]);
  });

  it('with `notFound: showError`, shows the not-found message through `callback`', async () => {
    mockToken();
    mockContacts('contacts-none.json');
    const { hook, lines } = loadHook(configWith({ policy: { timeoutMs: 1500, notFound: 'showError' } }));

    const { calls } = await callHook(hook, payload(ADA));

    expect(calls).toEqual([{ via: 'callback', value: showError(DEFAULT_MESSAGES.notFound, { journey: 'register' }) }]);
    expect(decidedLine(lines)).toMatchObject({ level: 'info', outcome: 'showError', reason: 'not_found', matches: 0 });
  });

  it('with `notFound: deny`, denies through `error` with the message as the description', async () => {
    mockToken();
    mockContacts('contacts-none.json');
    const { hook, lines } = loadHook(configWith({ policy: { timeoutMs: 1500, notFound: 'deny' } }));

    const { calls } = await callHook(hook, payload(ADA));

    expect(calls).toEqual([
      {
        via: 'error',
        value: expect.objectContaining({
          constructor: expect.objectContaining({ name: 'LocalDenyRequest' }),
          error: 'access_denied',
          description: DEFAULT_MESSAGES.notFound,
        }),
      },
    ]);
    expect(decidedLine(lines)).toMatchObject({ level: 'info', outcome: 'deny', reason: 'not_found', matches: 0 });
  });

  it('with `notFound: deny` and no `error` function from the runtime, shows the message through `callback` instead', async () => {
    mockToken();
    mockContacts('contacts-none.json');
    const { hook } = loadHook(configWith({ policy: { timeoutMs: 1500, notFound: 'deny' } }));
    const calls: unknown[] = [];

    await hook(payload(ADA), (value: unknown) => calls.push(value), undefined);

    expect(calls).toEqual([showError(DEFAULT_MESSAGES.notFound, { journey: 'register' })]);
  });
});

describe('pre-registration hook: the email is unusable', () => {
  it('shows the invalid-email message without asking Entra or Dataverse, and logs no hash, no matches, 0 attempts', async () => {
    const { hook, lines } = loadHook();

    const before = performance.now();
    const { calls } = await callHook(hook, payload('not-an-email'));
    const elapsedMs = performance.now() - before;

    expect(calls).toEqual([{ via: 'callback', value: showError(DEFAULT_MESSAGES.invalidEmail, { journey: 'register' }) }]);
    expect(lines).toEqual([
      {
        level: 'info',
        event: 'registration.decided',
        hook: 'pre-registration',
        outcome: 'showError',
        reason: 'invalid_email',
        latencyMs: expect.any(Number),
        attempts: 0,
      },
    ]);
    // The time this registration took, not a clock reading.
    expect(lines[0]?.latencyMs).toBeGreaterThanOrEqual(0);
    expect(lines[0]?.latencyMs).toBeLessThanOrEqual(Math.ceil(elapsedMs));
  });
});

describe('pre-registration hook: the lookup fails', () => {
  it('shows the unavailable message and logs the failure at error, with its code, stage and status', async () => {
    mockToken();
    mockContacts('dataverse-403-missing-privilege.json', [], 403);
    const { hook, lines } = loadHook();

    const { calls } = await callHook(hook, payload(ADA));

    expect(calls).toEqual([{ via: 'callback', value: showError(DEFAULT_MESSAGES.unavailable, { journey: 'register' }) }]);
    expect(lines).toEqual([
      {
        level: 'error',
        event: 'registration.decided',
        hook: 'pre-registration',
        outcome: 'showError',
        reason: 'lookup_failed',
        latencyMs: expect.any(Number),
        attempts: 1,
        emailHash: emailHash(ADA, TENANT),
        failure: 'forbidden',
        stage: 'dataverse',
        status: 403,
        dataverseCode: '0x80040220',
      },
    ]);
  });

  it('logs a failure at error even when `logLevel` is error, and a decision not forced by one is then not logged', async () => {
    mockToken();
    mockContacts('contacts-one.json');
    const { hook, lines } = loadHook({ ...BASE_CONFIG, logLevel: 'error' });
    await callHook(hook, payload(ADA));
    expect(lines).toEqual([]);

    mockContacts('dataverse-403-missing-privilege.json', [], 403);
    await callHook(hook, payload(ADA));
    expect(decidedLine(lines)).toMatchObject({ level: 'error', reason: 'lookup_failed', failure: 'forbidden' });
  });

  it('leaves no deadline timer behind once the registration is answered', async () => {
    mockToken();
    mockContacts('contacts-one.json');
    mockContacts('contacts-one.json');
    const { hook } = loadHook();
    await callHook(hook, payload(ADA)); // warm: the token and its renewal are in place

    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { calls } = await callHook(hook, payload(ADA));

    expect(calls[0]?.value).toBeInstanceOf(RegistrationData);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('pre-registration hook: an invalid config', () => {
  const INVALID = { ...BASE_CONFIG, policy: { timeoutMs: 1 } };

  it('fails closed: the generic message through `callback`, the stale link removed, and the reason logged', async () => {
    const { hook, lines } = loadHook(INVALID);

    const { calls, returned } = await callHook(hook, payload(ADA));

    expect(returned).toBeUndefined();
    expect(calls).toEqual([{ via: 'callback', value: showError(DEFAULT_MESSAGES.unavailable, { journey: 'register' }) }]);
    expect(lines).toEqual([
      { level: 'error', event: 'hook.config_invalid', failure: 'config', stage: 'config', diagnostic: expect.any(String) },
      {
        level: 'error',
        event: 'registration.decided',
        hook: 'pre-registration',
        outcome: 'showError',
        reason: 'config_invalid',
        failure: 'config',
        stage: 'config',
        diagnostic: expect.any(String),
      },
    ]);
    expect(lines[1]?.diagnostic).toBe(lines[0]?.diagnostic);
    expect(lines[1]?.diagnostic).toContain('policy.timeoutMs');
  });

  it('answers a payload whose getters throw, with an empty session', async () => {
    const { hook, lines } = loadHook(INVALID);
    const broken = {
      get customer(): never {
        throw new Error('runtime bug');
      },
      session: { journey: 'register' },
    };

    const { calls } = await callHook(hook, broken);

    expect(calls).toEqual([{ via: 'callback', value: showError(DEFAULT_MESSAGES.unavailable, {}) }]);
    expect(decidedLine(lines)).toMatchObject({ reason: 'config_invalid' });
  });
});

describe('pre-registration hook: a failure nothing classified', () => {
  it('a payload whose getter throws before the lookup gets the invalid-email answer, and the failure is logged', async () => {
    const { hook, lines } = loadHook();
    const broken = {
      get customer(): never {
        throw new Error('runtime bug');
      },
      session: { journey: 'register' },
    };

    const { calls } = await callHook(hook, broken);

    expect(calls).toEqual([{ via: 'callback', value: showError(DEFAULT_MESSAGES.invalidEmail, {}) }]);
    expect(lines).toEqual([{ level: 'error', event: 'registration.unexpected_failure', hook: 'pre-registration' }]);
  });

  it('a payload whose attributes throw once a contact matched is answered by the `onError` policy, with its session', async () => {
    mockToken();
    mockContacts('contacts-one.json');
    const { hook, lines } = loadHook(configWith({ policy: { timeoutMs: 1500, onError: 'deny' } }));
    const attributes = {
      emails: { primaryEmail: ADA },
      get name(): never {
        throw new Error('runtime bug');
      },
    };

    const { calls } = await callHook(hook, payload(ADA, { attributes }));

    expect(calls).toEqual([{ via: 'error', value: expect.objectContaining({ error: 'access_denied', description: DEFAULT_MESSAGES.unavailable }) }]);
    expect(lines).toEqual([{ level: 'error', event: 'registration.unexpected_failure', hook: 'pre-registration' }]);
  });

  it('when not even the policy can be applied, fails closed with the generic message and an empty session', async () => {
    vi.mocked(decideModule.decide).mockImplementation(() => {
      throw new Error('policy bug');
    });
    const { hook, lines } = loadHook();

    const { calls } = await callHook(hook, payload('not-an-email'));

    expect(calls).toEqual([{ via: 'callback', value: showError(DEFAULT_MESSAGES.unavailable, {}) }]);
    expect(lines).toEqual([{ level: 'error', event: 'registration.unexpected_failure', hook: 'pre-registration' }]);
  });
});
