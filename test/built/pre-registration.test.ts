/**
 * The BUILT file, loaded as Strivacity loads it (a fresh CommonJS module scope with the runtime's
 * result classes as globals), driven with recorded Entra and Dataverse responses.
 */
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildHook } from '../../src/build/build-hook.js';
import type { ConfigInput } from '../../src/hook/config.js';
import { registrationPayload } from '../../src/harness/run-hook.js';
import { readFixture } from '../../src/harness/stand-in.js';
import {
  type DenyGlobal,
  loadBuiltHook,
  StrivacityDenyRequest,
  StrivacityErrorDenyRequest,
  strivacityGlobals,
  StrivacityShowErrorMessage,
} from '../../src/harness/load-hook.js';
import { ACCESS_TOKEN, API, BASE_CONFIG, callHook, configWith, JSON_HEADERS, mockContacts, mockToken, ORG, SECRET, useBuiltHooks } from '../support/helpers.js';

const builds = new Map<string, string>();
async function codeFor(config: ConfigInput): Promise<string> {
  const key = JSON.stringify(config);
  if (!builds.has(key)) builds.set(key, (await buildHook('pre-registration', config)).code);
  return builds.get(key) as string;
}

/** What the built hook wrote to the console (its log), captured instead of printed. */
let logged: string[] = [];
beforeEach(() => {
  logged = [];
  for (const method of ['log', 'error'] as const)
    vi.spyOn(console, method).mockImplementation((...parts: unknown[]) => void logged.push(parts.map(String).join(' ')));
});
// The log scan covers every decision here too: no secret, token, email or CRM value is written.
afterEach(() => {
  for (const forbidden of [SECRET, ACCESS_TOKEN, 'lovelace@example.com', 'Lovelace', "o'brien@example.com", 'Hopper', '+44 20 7946 0018']) {
    expect(logged.join('\n')).not.toContain(forbidden);
  }
});

const builtHooks = useBuiltHooks();
async function load(config: ConfigInput = BASE_CONFIG, deny: DenyGlobal = 'ErrorDenyRequest') {
  const { hook, unload } = loadBuiltHook(await codeFor(config), strivacityGlobals(deny));
  builtHooks.track(unload);
  return hook;
}

describe('the built pre-registration hook', () => {
  it('allows a known customer, completes empty attributes from the contact and links the contact in the session', async () => {
    const token = mockToken();
    const filters: string[] = [];
    const contacts = mockContacts('contacts-one.json', filters);
    const hook = await load();
    const payload = registrationPayload('  Ada.Lovelace@example.com ');
    (payload['session'] as Record<string, unknown>)['dynamics'] = { campaign: 'spring' };

    const { calls } = await callHook(hook, payload);

    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call?.via).toBe('callback');
    const result = call?.value as {
      constructor: { name: string };
      attributes: Record<string, unknown>;
      additionalAuthenticators: unknown[];
      session: Record<string, unknown>;
    };
    expect(result.constructor.name).toBe('RegistrationData');
    expect(result.attributes).toEqual({
      emails: { primaryEmail: '  Ada.Lovelace@example.com ' },
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      phoneNumbers: { primaryPhoneNumber: '+44 20 7946 0018' },
    });
    expect(result.additionalAuthenticators).toEqual([]);
    expect(result.session).toEqual({
      journey: 'register',
      dynamics: { campaign: 'spring', contactId: '0f8fad5b-d9cb-469f-a165-70867728950e', linkHash: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    expect(filters).toEqual(["emailaddress1 eq 'Ada.Lovelace@example.com' and statecode eq 0"]);
    expect(token.isDone() && contacts.isDone()).toBe(true);
    expect(logged.map((line) => JSON.parse(line) as unknown)).toEqual([
      {
        level: 'info',
        event: 'registration.decided',
        hook: 'pre-registration',
        outcome: 'allow',
        reason: 'matched',
        latencyMs: expect.any(Number),
        attempts: 1,
        emailHash: expect.stringMatching(/^[0-9a-f]{12}$/),
        matches: 1,
      },
    ]);
  });

  it('keeps what the person typed unless enrichOverwrite is set', async () => {
    mockToken();
    mockContacts('contacts-one.json');
    mockToken();
    mockContacts('contacts-one.json');
    const payload = registrationPayload('ada.lovelace@example.com');
    (payload['customer'] as { attributes: Record<string, unknown> }).attributes['name'] = { givenName: 'Augusta', familyName: '' };

    const kept = await callHook(await load(), payload);
    const overwritten = await callHook(await load(configWith({ enrichOverwrite: true })), payload);

    expect((kept.calls[0]?.value as { attributes: { name: unknown } }).attributes.name).toEqual({ givenName: 'Augusta', familyName: 'Lovelace' });
    expect((overwritten.calls[0]?.value as { attributes: { name: unknown } }).attributes.name).toEqual({ givenName: 'Ada', familyName: 'Lovelace' });
  });

  it('finds an email with an apostrophe by doubling the quote in the OData literal', async () => {
    mockToken();
    const filters: string[] = [];
    mockContacts('contacts-apostrophe.json', filters);
    const { calls } = await callHook(
      await load(configWith({ lookup: { emailFields: ['emailaddress1', 'emailaddress2'], activeOnly: false } })),
      registrationPayload("siobhan.o'brien@example.com"),
    );

    expect(filters).toEqual(["(emailaddress1 eq 'siobhan.o''brien@example.com' or emailaddress2 eq 'siobhan.o''brien@example.com')"]);
    expect((calls[0]?.value as { session: { dynamics: { contactId: string } } }).session.dynamics.contactId).toBe('9b2f3c1e-5a4d-4e6f-8a7b-1c2d3e4f5a6b');
  });

  describe.each([
    ['allow', 'callback', 'RegistrationData'],
    ['showError', 'callback', 'StrivacityShowErrorMessage'],
    ['deny', 'error', 'StrivacityErrorDenyRequest'],
  ] as const)('when no contact matches and policy.notFound is %s', (notFound, via, className) => {
    it(`answers through ${via} with ${className}`, async () => {
      mockToken();
      mockContacts('contacts-none.json');
      const { calls } = await callHook(await load(configWith({ policy: { notFound, timeoutMs: 1500 } })), registrationPayload('new.person@example.com'));

      expect(calls).toHaveLength(1);
      expect(calls[0]?.via).toBe(via);
      expect((calls[0]?.value as object).constructor.name).toBe(className);
    });
  });

  it('answers a contact failing lookup.where as not_entitled by policy.notEntitled, selecting the rule columns in the one lookup', async () => {
    mockToken();
    const selects: string[] = [];
    const recorded = readFixture('contacts-one.json') as { value: Array<Record<string, unknown>> };
    const contacts = nock(ORG)
      .get(`${API}/contacts`)
      .query((query) => {
        selects.push(String(query['$select']));
        return true;
      })
      .reply(200, { ...recorded, value: recorded.value.map((contact) => ({ ...contact, customertypecode: 2 })) } as nock.Body, JSON_HEADERS);
    const config = configWith({ lookup: { where: { customertypecode: [1, 3] } }, policy: { notEntitled: 'deny', timeoutMs: 1500 } });

    const { calls } = await callHook(await load(config), registrationPayload('ada.lovelace@example.com'));

    expect(calls).toStrictEqual([
      { via: 'error', value: new StrivacityErrorDenyRequest('Your customer record does not allow registration. Please contact support.', '') },
    ]);
    expect(selects[0]?.split(',')).toContain('customertypecode');
    expect(contacts.isDone()).toBe(true);
    expect(JSON.parse(logged[0] ?? '{}')).toMatchObject({ event: 'registration.decided', outcome: 'deny', reason: 'not_entitled', matches: 1 });
  });

  it('writes the matched contact id into link.attribute, over what the registrant typed', async () => {
    mockToken();
    mockContacts('contacts-one.json');
    mockToken();
    mockContacts('contacts-none.json');
    const config = configWith({ link: { attribute: 'custom.dynamicsContactId' } });
    const typed = (email: string) => {
      const payload = registrationPayload(email);
      (payload['customer'] as { attributes: Record<string, unknown> }).attributes['custom'] = { dynamicsContactId: '7c9e6679-7425-40de-944b-e07fc1f90ae7' };
      return payload;
    };

    const matched = await callHook(await load(config), typed('ada.lovelace@example.com'));
    const unknown = await callHook(await load(config), typed('new.person@example.com'));

    expect((matched.calls[0]?.value as { attributes: { custom: unknown } }).attributes.custom).toEqual({
      dynamicsContactId: '0f8fad5b-d9cb-469f-a165-70867728950e',
    });
    expect((unknown.calls[0]?.value as { attributes: { custom: unknown } }).attributes.custom).toEqual({});
  });

  it('denies with DenyRequest(error, description) when the runtime has that global instead', async () => {
    mockToken();
    mockContacts('contacts-none.json');
    const { calls } = await callHook(await load(configWith({ policy: { notFound: 'deny' } }), 'DenyRequest'), registrationPayload('new.person@example.com'));

    expect(calls).toStrictEqual([
      { via: 'error', value: new StrivacityDenyRequest('access_denied', 'We could not find your customer record. Please contact support to register.') },
    ]);
    expect(calls[0]?.value).toBeInstanceOf(StrivacityDenyRequest);
  });

  it('denies with a local class of the same shape when the runtime has no deny global', async () => {
    mockToken();
    mockContacts('contacts-none.json');
    const { calls } = await callHook(await load(configWith({ policy: { notFound: 'deny' } }), 'none'), registrationPayload('new.person@example.com'));

    expect(calls[0]?.via).toBe('error');
    expect(calls[0]?.value).toMatchObject({
      error: 'access_denied',
      description: 'We could not find your customer record. Please contact support to register.',
    });
    expect(calls[0]?.value).not.toBeInstanceOf(StrivacityErrorDenyRequest);
  });

  it('uses ErrorDenyRequest(description, hint) when the runtime has it', async () => {
    mockToken();
    mockContacts('contacts-two.json');
    const { calls } = await callHook(await load(configWith({ policy: { multipleMatches: 'deny' } })), registrationPayload('grace.hopper@example.com'));

    expect(calls).toStrictEqual([
      { via: 'error', value: new StrivacityErrorDenyRequest('We could not verify your details. Please contact support to register.', '') },
    ]);
  });

  it('allows the most recently modified contact when several match and the policy is allowMostRecent', async () => {
    mockToken();
    mockContacts('contacts-two.json');
    const { calls } = await callHook(await load(), registrationPayload('grace.hopper@example.com'));

    const result = calls[0]?.value as { attributes: { name: unknown; phoneNumbers?: unknown }; session: { dynamics: { contactId: string } } };
    expect(result.session.dynamics.contactId).toBe('7c9e6679-7425-40de-944b-e07fc1f90ae7');
    expect(result.attributes.name).toEqual({ givenName: 'Grace', familyName: 'Hopper' });
    // The newest record has no mobile phone: nothing is taken from the older one.
    expect(result.attributes.phoneNumbers).toBeUndefined();
  });

  it("shows the multiple-matches message in the person's language", async () => {
    mockToken();
    mockContacts('contacts-two.json');
    const messages = {
      en: { notFound: 'nf', multipleMatches: 'several', invalidEmail: 'bad', unavailable: 'down' },
      de: { notFound: 'nf-de', multipleMatches: 'mehrere', invalidEmail: 'ungültig', unavailable: 'nicht verfügbar' },
    };
    const { calls } = await callHook(
      await load(configWith({ policy: { multipleMatches: 'showError' }, messages })),
      registrationPayload('grace.hopper@example.com', ['fr', 'de-DE']),
    );

    expect(calls).toStrictEqual([{ via: 'callback', value: new StrivacityShowErrorMessage('mehrere', { journey: 'register' }) }]);
  });

  it.each([
    ['not an address', 'not-an-email'],
    ['a double quote', '"ada"@example.com'],
    ['braces', 'ada{0f8fad5b-d9cb-469f-a165-70867728950e}@example.com'],
    ['a control character', 'ada\u0000@example.com'],
    ['more than 100 characters', `${'a'.repeat(95)}@example.com`],
    ['not a string', 42],
  ])('answers an email with %s by policy.invalidEmail without asking Dataverse', async (_label, email) => {
    mockToken();
    const contacts = mockContacts('contacts-one.json');
    const { calls } = await callHook(await load(), registrationPayload(email));

    expect(calls).toStrictEqual([{ via: 'callback', value: new StrivacityShowErrorMessage('Please enter a valid email address.', { journey: 'register' }) }]);
    expect(contacts.isDone()).toBe(false);
  });

  it('treats a payload without customer or attributes as invalid input, not a crash', async () => {
    mockToken();
    const hook = await load(configWith({ policy: { invalidEmail: 'deny' } }));
    for (const payload of [undefined, {}, { customer: null }, { customer: { attributes: 'x' } }, { session: 5 }]) {
      const { calls } = await callHook(hook, payload);
      expect(calls).toStrictEqual([{ via: 'error', value: new StrivacityErrorDenyRequest('Please enter a valid email address.', '') }]);
    }
  });

  it('answers by policy.onError when Dataverse fails, with a message that names nothing internal', async () => {
    mockToken();
    nock('https://contoso.crm4.dynamics.com')
      .get('/api/data/v9.2/contacts')
      .query(true)
      .times(3)
      .reply(500, { error: { code: '0x80040216', message: 'SQL timeout on contactbase' } });
    const { calls } = await callHook(await load(), registrationPayload('ada.lovelace@example.com'));

    expect(calls).toStrictEqual([
      {
        via: 'callback',
        value: new StrivacityShowErrorMessage('Registration is temporarily unavailable. Please try again in a few minutes.', { journey: 'register' }),
      },
    ]);
  });

  it('fails closed with the generic message when the pasted config block is invalid', async () => {
    const original = await codeFor(BASE_CONFIG);
    const code = original.replace('"notFound": "allow"', '"notFound": "maybe"');
    expect(code).not.toBe(original);
    const { hook, unload } = loadBuiltHook(code, strivacityGlobals());
    builtHooks.track(unload);
    const { calls } = await callHook(hook, registrationPayload('ada.lovelace@example.com'));

    expect(calls).toStrictEqual([
      {
        via: 'callback',
        value: new StrivacityShowErrorMessage('Registration is temporarily unavailable. Please try again in a few minutes.', { journey: 'register' }),
      },
    ]);
    // The config, not a lookup failure: the log names the bad key and the reason.
    expect(logged.map((line) => JSON.parse(line) as unknown)).toContainEqual(
      expect.objectContaining({
        event: 'registration.decided',
        outcome: 'showError',
        reason: 'config_invalid',
        failure: 'config',
        diagnostic: expect.stringContaining('policy.notFound'),
      }),
    );
  });
});
