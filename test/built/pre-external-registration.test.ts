/**
 * The BUILT social sign-up gate (pre-external-registration), loaded as Strivacity loads it, with real
 * msal-node and dynamics-web-api against nock: the pre-registration decision on every path, where it
 * reads the email (the assumed paths, in order, and configured ones), and the contract mismatch when
 * no path holds one. The payloads are the assumed Google-style samples of its kind.ts.
 */
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { buildHook } from '../../src/build/build-hook.js';
import { loadBuiltHook, StrivacityErrorDenyRequest, strivacityGlobals, StrivacityShowErrorMessage } from '../../src/harness/load-hook.js';
import { readFixture } from '../../src/harness/stand-in.js';
import type { ConfigInput } from '../../src/hook/config.js';
import { externalRegistrationPayload } from '../../src/build/kinds/pre-external-registration.js';
import {
  ACCESS_TOKEN,
  API,
  BASE_CONFIG,
  callHook,
  capturePrinted,
  configWith,
  JSON_HEADERS,
  loadBuilt,
  mockContacts,
  mockToken,
  ORG,
  SECRET,
  useBuiltHooks,
} from '../support/helpers.js';

const ADA_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const UNAVAILABLE = 'Registration is temporarily unavailable. Please try again in a few minutes.';

const builtHooks = useBuiltHooks();
const { printed, lines } = capturePrinted();
const load = (config: ConfigInput = BASE_CONFIG) => loadBuilt(builtHooks, 'pre-external-registration', config);
const decided = () => lines().filter((line) => line['event'] === 'registration.decided');

afterEach(() => {
  // No secret, token, email, CRM value or other argument value in any line the built hook printed.
  const text = printed().join('\n').toLowerCase();
  for (const forbidden of [SECRET, ACCESS_TOKEN, 'lovelace', 'new.person', 'grace', '+44 20', '203.0.113.10', 'google', '109876543210987654321', 'brand'])
    expect(text).not.toContain(forbidden.toLowerCase());
  nock.cleanAll();
});

type Registered = { constructor: { name: string }; attributes: Record<string, unknown>; session: Record<string, unknown> };

describe('the built pre-external-registration hook: the registration decision', () => {
  it('allows a known customer, completing the attributes from the contact and linking it in the session', async () => {
    const token = mockToken();
    const filters: string[] = [];
    const contacts = mockContacts('contacts-one.json', filters);

    const { calls } = await callHook(await load(), externalRegistrationPayload('Ada.Lovelace@example.com'));

    expect(calls).toHaveLength(1);
    expect(calls[0]?.via).toBe('callback');
    const registered = calls[0]?.value as Registered;
    expect(registered.constructor.name).toBe('RegistrationData');
    expect(registered.attributes).toEqual({
      emails: { primaryEmail: 'Ada.Lovelace@example.com' },
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      phoneNumbers: { primaryPhoneNumber: '+44 20 7946 0018' },
    });
    expect(registered.session).toEqual({ journey: 'register-external', dynamics: { contactId: ADA_ID, linkHash: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    expect(filters).toEqual(["emailaddress1 eq 'Ada.Lovelace@example.com' and statecode eq 0"]);
    expect(token.isDone() && contacts.isDone()).toBe(true);
    expect(decided()).toEqual([
      {
        level: 'info',
        event: 'registration.decided',
        hook: 'pre-external-registration',
        outcome: 'allow',
        reason: 'matched',
        latencyMs: expect.any(Number),
        attempts: 1,
        emailHash: expect.stringMatching(/^[0-9a-f]{12}$/),
        matches: 1,
      },
    ]);
  });

  it('allows without enrichment when enrich is empty: the attributes come back as the runtime passed them', async () => {
    mockToken();
    mockContacts('contacts-one.json');
    const payload = externalRegistrationPayload('ada.lovelace@example.com');

    const { calls } = await callHook(await load({ ...BASE_CONFIG, enrich: {} }), payload);

    expect((calls[0]?.value as Registered).attributes).toEqual((payload['customer'] as { attributes: unknown }).attributes);
    expect(decided()[0]).toMatchObject({ outcome: 'allow', reason: 'matched' });
  });

  it('answers no contact by policy.notFound: allow by default with no link, showError when set', async () => {
    mockToken();
    mockContacts('contacts-none.json');
    mockToken();
    mockContacts('contacts-none.json');
    const payload = externalRegistrationPayload('new.person@example.com');
    (payload['session'] as Record<string, unknown>)['dynamics'] = { contactId: ADA_ID, linkHash: 'stale' };

    const allowed = await callHook(await load(), payload);
    const refused = await callHook(await load(configWith({ policy: { notFound: 'showError' } })), payload);

    expect((allowed.calls[0]?.value as Registered).constructor.name).toBe('RegistrationData');
    expect((allowed.calls[0]?.value as Registered).session).toEqual({ journey: 'register-external' });
    expect(refused.calls).toStrictEqual([
      {
        via: 'callback',
        value: new StrivacityShowErrorMessage('We could not find your customer record. Please contact support to register.', { journey: 'register-external' }),
      },
    ]);
    expect(decided().map((line) => [line['outcome'], line['reason'], line['matches']])).toEqual([
      ['allow', 'not_found', 0],
      ['showError', 'not_found', 0],
    ]);
  });

  it('answers a contact failing lookup.where as not_entitled by policy.notEntitled, the rule column selected in the one lookup', async () => {
    mockToken();
    const selects: string[] = [];
    const recorded = readFixture('contacts-one.json') as { value: Array<Record<string, unknown>> };
    const contacts = nock(ORG)
      .get(`${API}/contacts`)
      .query((query) => {
        selects.push(String(query['$select']));
        return true;
      })
      .reply(200, { ...recorded, value: recorded.value.map((contact) => ({ ...contact, msdyn_portalaccess: false })) } as nock.Body, JSON_HEADERS);
    const config = configWith({ lookup: { where: { msdyn_portalaccess: true } }, policy: { notEntitled: 'deny' } });

    const { calls } = await callHook(await load(config), externalRegistrationPayload('ada.lovelace@example.com'));

    expect(calls).toStrictEqual([
      { via: 'error', value: new StrivacityErrorDenyRequest('Your customer record does not allow registration. Please contact support.', '') },
    ]);
    expect(selects[0]?.split(',')).toContain('msdyn_portalaccess');
    expect(contacts.isDone()).toBe(true);
    expect(decided()[0]).toMatchObject({ level: 'info', outcome: 'deny', reason: 'not_entitled', matches: 1 });
  });

  it('follows policy.multipleMatches for several contacts: the most recent by default, showError when set', async () => {
    mockToken();
    mockContacts('contacts-two.json');
    mockToken();
    mockContacts('contacts-two.json');
    const payload = externalRegistrationPayload('grace.hopper@example.com');

    const newest = await callHook(await load(), payload);
    const strict = await callHook(await load(configWith({ policy: { multipleMatches: 'showError' } })), payload);

    expect((newest.calls[0]?.value as Registered).session['dynamics']).toMatchObject({ contactId: '7c9e6679-7425-40de-944b-e07fc1f90ae7' });
    expect(strict.calls).toStrictEqual([
      {
        via: 'callback',
        value: new StrivacityShowErrorMessage('We could not verify your details. Please contact support to register.', { journey: 'register-external' }),
      },
    ]);
    expect(decided().map((line) => [line['outcome'], line['reason'], line['matches']])).toEqual([
      ['allow', 'matched_most_recent', 2],
      ['showError', 'multiple_matches', 2],
    ]);
  });

  it('answers a Dataverse failure by policy.onError, logged at error with the failure', async () => {
    mockToken();
    for (let attempt = 0; attempt < 3; attempt += 1) mockContacts('dataverse-500.json', [], 500);

    const { calls } = await callHook(await load(), externalRegistrationPayload('ada.lovelace@example.com'));

    expect(calls).toStrictEqual([{ via: 'callback', value: new StrivacityShowErrorMessage(UNAVAILABLE, { journey: 'register-external' }) }]);
    expect(decided()[0]).toMatchObject({ level: 'error', outcome: 'showError', reason: 'lookup_failed', failure: 'server', status: 500 });
  });
});

describe('the built pre-external-registration hook: where the email is read', () => {
  it('reads the email at the second default path, customer.identifiers.email, when the attributes hold none', async () => {
    mockToken();
    const filters: string[] = [];
    mockContacts('contacts-one.json', filters);

    const { calls } = await callHook(await load(), externalRegistrationPayload('ada.lovelace@example.com', { at: 'identifiers' }));

    expect(filters).toEqual(["emailaddress1 eq 'ada.lovelace@example.com' and statecode eq 0"]);
    const registered = calls[0]?.value as Registered;
    expect(registered.attributes).toMatchObject({ name: { givenName: 'Ada', familyName: 'Lovelace' } });
    expect(registered.session['dynamics']).toMatchObject({ contactId: ADA_ID });
    expect(decided()[0]).toMatchObject({ outcome: 'allow', reason: 'matched' });
  });

  it('reads only the configured externalRegistration.emailPaths, the first valid one winning', async () => {
    mockToken();
    const filters: string[] = [];
    mockContacts('contacts-one.json', filters);
    const payload = externalRegistrationPayload('new.person@example.com');
    (payload['customer'] as Record<string, unknown>)['externalIdentity'] = {
      provider: 'google',
      profile: { mail: 'not an email', email: 'ada.lovelace@example.com' },
    };
    const config = configWith({ externalRegistration: { emailPaths: ['customer.externalIdentity.profile.mail', 'customer.externalIdentity.profile.email'] } });

    await callHook(await load(config), payload);

    expect(filters).toEqual(["emailaddress1 eq 'ada.lovelace@example.com' and statecode eq 0"]);
    expect(decided()[0]).toMatchObject({ outcome: 'allow', reason: 'matched' });
  });

  it('logs contract_mismatch at error with the key paths of the arguments, never a value, and answers by policy.onError, asking nothing', async () => {
    mockToken();
    const contacts = mockContacts('contacts-one.json');
    const payload = externalRegistrationPayload(undefined, { at: 'nowhere' });

    const { calls } = await callHook(await load(), payload);

    expect(calls).toStrictEqual([{ via: 'callback', value: new StrivacityShowErrorMessage(UNAVAILABLE, { journey: 'register-external' }) }]);
    expect(contacts.isDone()).toBe(false);
    expect(decided()).toEqual([
      {
        level: 'error',
        event: 'registration.decided',
        hook: 'pre-external-registration',
        outcome: 'showError',
        reason: 'contract_mismatch',
        latencyMs: expect.any(Number),
        attempts: 0,
        argumentKeys: [
          'application.client_id',
          'application.name',
          'continue_context',
          'continue_request_parameters',
          'customer.attributes.name.familyName',
          'customer.attributes.name.givenName',
          'customer.consents',
          'customer.externalIdentity.emailVerified',
          'customer.externalIdentity.provider',
          'customer.externalIdentity.subject',
          'customer.identifiers',
          'customer.ip_address',
          'customer.store',
          'oidc_context.acr_values',
          'oidc_context.ui_locales[]',
          'session.journey',
        ],
      },
    ]);
  });

  it('answers a contract mismatch by policy.onError allow when the administrator chose it, without a link', async () => {
    mockToken();
    const { calls } = await callHook(await load(configWith({ policy: { onError: 'allow' } })), externalRegistrationPayload(undefined, { at: 'nowhere' }));

    expect((calls[0]?.value as Registered).constructor.name).toBe('RegistrationData');
    expect((calls[0]?.value as Registered).session).toEqual({ journey: 'register-external' });
    expect(decided()[0]).toMatchObject({ level: 'error', outcome: 'allow', reason: 'contract_mismatch', attempts: 0 });
  });

  it('answers text that is not an email as invalid_email by policy.invalidEmail, as a typed one: the shape held', async () => {
    mockToken();
    const { calls } = await callHook(await load(), externalRegistrationPayload("x' or emailaddress1 ne 'y@example.com"));

    expect(calls).toStrictEqual([
      { via: 'callback', value: new StrivacityShowErrorMessage('Please enter a valid email address.', { journey: 'register-external' }) },
    ]);
    expect(decided()[0]).toMatchObject({ level: 'info', outcome: 'showError', reason: 'invalid_email', attempts: 0 });
    expect(decided()[0]).not.toHaveProperty('argumentKeys');
  });
});

describe('the built pre-external-registration file', () => {
  it('shows the registration policies and externalRegistration in its config block, not the sign-in or sync keys', async () => {
    const { code } = await buildHook('pre-external-registration', configWith({ sync: { createIfMissing: false } }));
    const block = code.slice(0, code.indexOf('\n};') + 3);

    expect(block).toContain(' * Strivacity pre-external-registration hook: Microsoft Dynamics 365 (Dataverse contacts).');
    expect(block).toContain('every social sign-up gets the generic "unavailable" message');
    expect(block).toContain('"externalRegistration": {');
    expect(block).toContain('"emailPaths": ["customer.attributes.emails.primaryEmail","customer.identifiers.email"]');
    expect(block).toContain('"notFound": "allow"');
    expect(block).not.toContain('"login"');
    expect(block).not.toContain('"sync"');
  });

  it('fails closed with the generic message when its config is invalid', async () => {
    const { code } = await buildHook('pre-external-registration', BASE_CONFIG);
    const broken = code.replace('"emailPaths": ["customer.attributes.emails.primaryEmail"', '"emailPaths": ["customer..attributes"');
    expect(broken).not.toBe(code);
    const { hook, unload } = loadBuiltHook(broken, strivacityGlobals());
    builtHooks.track(unload);

    const { calls } = await callHook(hook, externalRegistrationPayload('ada.lovelace@example.com'));

    expect(calls).toStrictEqual([{ via: 'callback', value: new StrivacityShowErrorMessage(UNAVAILABLE, { journey: 'register-external' }) }]);
    expect(decided()[0]).toMatchObject({
      level: 'error',
      hook: 'pre-external-registration',
      outcome: 'showError',
      reason: 'config_invalid',
      failure: 'config',
    });
  });
});
