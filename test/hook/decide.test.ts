import { describe, expect, it } from 'vitest';
import { type Config, DEFAULT_MESSAGES, parseConfig } from '../../src/hook/config.js';
import type { Contact } from '../../src/hook/dataverse.js';
import { decide, type LookupOutcome } from '../../src/hook/decide.js';
import { HookError } from '../../src/hook/errors.js';
import type { Registration } from '../../src/hook/input.js';
import { linkHash } from '../../src/hook/link.js';

const ID_OLD = '00000000-0000-0000-0000-00000000000a';
const ID_NEW = '00000000-0000-0000-0000-00000000000b';
const ID_MID = '00000000-0000-0000-0000-00000000000c';
const TENANT = '11111111-2222-3333-4444-555555555555';
/** The link a session carries after ID_NEW matched ada@example.com. */
const LINK_NEW = { contactId: ID_NEW, linkHash: linkHash(TENANT, ID_NEW, 'ada@example.com') };

const EN = { notFound: 'en: not found', multipleMatches: 'en: several', invalidEmail: 'en: invalid', unavailable: 'en: unavailable' };
const DE = { notFound: 'de: not found', multipleMatches: 'de: several', invalidEmail: 'de: invalid', unavailable: 'de: unavailable' };
const FR_CA = { notFound: 'fr-CA: not found', multipleMatches: 'fr-CA: several', invalidEmail: 'fr-CA: invalid', unavailable: 'fr-CA: unavailable' };

function config(sections: Record<string, unknown> = {}): Config {
  return parseConfig({
    dataverse: { url: 'https://contoso.crm4.dynamics.com' },
    auth: {
      tenantId: TENANT,
      clientId: '66666666-7777-8888-9999-000000000000',
      clientSecretVariable: 'DYNAMICS_CLIENT_SECRET',
    },
    enrich: { 'name.givenName': 'firstname', 'name.familyName': 'lastname', 'phoneNumbers.primaryPhoneNumber': 'mobilephone' },
    messages: { en: EN, de: DE, 'fr-CA': FR_CA },
    ...sections,
  });
}

function contact(contactid: string, modifiedon: string, columns: Record<string, unknown> = {}): Contact {
  return { contactid, modifiedon: new Date(modifiedon), ...columns };
}

function registration(attributes: Record<string, unknown> = {}, session: Record<string, unknown> = {}, locales: string[] = []): Registration {
  return { valid: true, email: 'ada@example.com', attributes: { emails: { primaryEmail: 'ada@example.com' }, ...attributes }, session, locales };
}

const invalid: Registration = { valid: false, attributes: { emails: { primaryEmail: 'nope' } }, session: { journey: 'signup' }, locales: [] };
const found = (...contacts: Contact[]): LookupOutcome => ({ kind: 'contacts', contacts });
const failed: LookupOutcome = { kind: 'failed', error: new HookError('server', 'Dataverse failed the request.', { stage: 'dataverse', status: 503 }) };

describe('decide: one contact', () => {
  const ada = contact(ID_NEW, '2024-05-01T10:00:00Z', { firstname: 'Ada', lastname: 'Lovelace', mobilephone: '+44 20 7946 0000' });

  it('allows, enriched, with the contact id in session.dynamics, keeping the other session keys', () => {
    const decision = decide(config(), registration({}, { journey: 'signup', dynamics: { source: 'crm' } }), found(ada));
    expect(decision).toEqual({
      outcome: 'allow',
      reason: 'matched',
      contactId: ID_NEW,
      attributes: {
        emails: { primaryEmail: 'ada@example.com' },
        name: { givenName: 'Ada', familyName: 'Lovelace' },
        phoneNumbers: { primaryPhoneNumber: '+44 20 7946 0000' },
      },
      session: { journey: 'signup', dynamics: { source: 'crm', ...LINK_NEW } },
    });
  });

  it('links the matched contact in place of an incoming link', () => {
    const decision = decide(config(), registration({}, { dynamics: { contactId: ID_OLD, linkHash: 'from an earlier attempt' } }), found(ada));
    expect(decision.session).toEqual({ dynamics: LINK_NEW });
  });

  it('does not copy a value longer than policy.maxValueLength, and names its column', () => {
    const long = contact(ID_NEW, '2024-05-01T10:00:00Z', { firstname: 'A'.repeat(4001), lastname: 'L'.repeat(4000) });
    const decision = decide(config(), registration(), found(long));
    expect(decision).toMatchObject({
      outcome: 'allow',
      attributes: { name: { familyName: 'L'.repeat(4000) } },
      skipped: [{ column: 'firstname', problem: 'too_long' }],
    });
    expect(decision.outcome === 'allow' && decision.attributes['name']).toEqual({ familyName: 'L'.repeat(4000) });
    expect(decide(config({ policy: { maxValueLength: 3 } }), registration(), found(ada))).toMatchObject({
      attributes: { name: { givenName: 'Ada' } },
      skipped: [
        { column: 'lastname', problem: 'too_long' },
        { column: 'mobilephone', problem: 'too_long' },
      ],
    });
  });

  it('replaces a session.dynamics that is not an object', () => {
    const decision = decide(config(), registration({}, { dynamics: 'stale' }), found(ada));
    expect(decision.session).toEqual({ dynamics: LINK_NEW });
  });

  it('fills only empty attributes when enrichOverwrite is false', () => {
    const typed = { name: { givenName: 'Augusta', familyName: '  ' }, phoneNumbers: { primaryPhoneNumber: null } };
    const decision = decide(config(), registration(typed), found(ada));
    expect(decision).toMatchObject({
      outcome: 'allow',
      attributes: { name: { givenName: 'Augusta', familyName: 'Lovelace' }, phoneNumbers: { primaryPhoneNumber: '+44 20 7946 0000' } },
    });
  });

  it('overwrites what the person typed when enrichOverwrite is true', () => {
    const typed = { name: { givenName: 'Augusta', familyName: 'King' } };
    const decision = decide(config({ enrichOverwrite: true }), registration(typed), found(ada));
    expect(decision).toMatchObject({ outcome: 'allow', attributes: { name: { givenName: 'Ada', familyName: 'Lovelace' } } });
  });

  it.each([false, true])('never erases a typed value with an empty CRM value (enrichOverwrite %s)', (enrichOverwrite) => {
    const blank = contact(ID_NEW, '2024-05-01T10:00:00Z', { firstname: '', lastname: null, mobilephone: '   ' });
    const typed = { name: { givenName: 'Augusta', familyName: 'King' }, phoneNumbers: { primaryPhoneNumber: '+1 555' } };
    const decision = decide(config({ enrichOverwrite }), registration(typed), found(blank));
    expect(decision).toMatchObject({ outcome: 'allow', attributes: typed });
  });

  it('leaves an attribute absent when the contact lacks the column', () => {
    const decision = decide(config(), registration(), found(contact(ID_NEW, '2024-05-01T10:00:00Z', { firstname: 'Ada' })));
    expect(decision).toMatchObject({ outcome: 'allow', attributes: { emails: { primaryEmail: 'ada@example.com' }, name: { givenName: 'Ada' } } });
    expect(decision.outcome === 'allow' && decision.attributes).not.toHaveProperty('phoneNumbers');
  });

  it('does not mutate the attributes or session it was given', () => {
    const input = registration({ name: { givenName: '' } }, { dynamics: { source: 'crm' } });
    const before = structuredClone({ attributes: input.attributes, session: input.session });
    decide(config({ enrichOverwrite: true }), input, found(ada));
    expect({ attributes: input.attributes, session: input.session }).toEqual(before);
  });
});

describe('decide: no contact', () => {
  it('allows unchanged when notFound is allow, without a contact id', () => {
    const input = registration({ name: { givenName: 'Ada' } }, { journey: 'signup' });
    expect(decide(config({ policy: { notFound: 'allow' } }), input, found())).toEqual({
      outcome: 'allow',
      reason: 'not_found',
      attributes: input.attributes,
      session: { journey: 'signup' },
    });
  });

  it('shows the notFound message when notFound is showError', () => {
    expect(decide(config({ policy: { notFound: 'showError' } }), registration({}, { journey: 'signup' }), found())).toEqual({
      outcome: 'showError',
      reason: 'not_found',
      message: 'en: not found',
      session: { journey: 'signup' },
    });
  });

  it('denies with the notFound message when notFound is deny', () => {
    expect(decide(config({ policy: { notFound: 'deny' } }), registration(), found())).toEqual({
      outcome: 'deny',
      reason: 'not_found',
      message: 'en: not found',
      session: {},
    });
  });
});

describe('decide: several contacts', () => {
  const older = contact(ID_OLD, '2023-01-01T00:00:00Z', { firstname: 'Old' });
  const newest = contact(ID_NEW, '2024-06-30T23:59:59Z', { firstname: 'New' });
  const middle = contact(ID_MID, '2024-02-01T00:00:00Z', { firstname: 'Mid' });

  it.each([
    ['newest first', [newest, middle, older]],
    ['newest last', [older, middle, newest]],
    ['newest in the middle', [middle, newest, older]],
  ])('allowMostRecent picks the newest modifiedon (%s)', (_label, contacts) => {
    const decision = decide(config({ policy: { multipleMatches: 'allowMostRecent' } }), registration(), found(...contacts));
    expect(decision).toMatchObject({
      outcome: 'allow',
      reason: 'matched_most_recent',
      contactId: ID_NEW,
      attributes: { name: { givenName: 'New' } },
      session: { dynamics: LINK_NEW },
    });
  });

  it('allowMostRecent keeps the first of two contacts modified at the same instant (Dataverse sent them newest first)', () => {
    const twin = contact(ID_MID, '2024-06-30T23:59:59Z', { firstname: 'Twin' });
    expect(decide(config(), registration(), found(newest, twin))).toMatchObject({ contactId: ID_NEW, attributes: { name: { givenName: 'New' } } });
    expect(decide(config(), registration(), found(twin, newest))).toMatchObject({ contactId: ID_MID, attributes: { name: { givenName: 'Twin' } } });
  });

  it('shows the multipleMatches message when multipleMatches is showError', () => {
    expect(decide(config({ policy: { multipleMatches: 'showError' } }), registration(), found(older, newest))).toEqual({
      outcome: 'showError',
      reason: 'multiple_matches',
      message: 'en: several',
      session: {},
    });
  });

  it('denies with the multipleMatches message when multipleMatches is deny', () => {
    expect(decide(config({ policy: { multipleMatches: 'deny' } }), registration(), found(older, newest))).toEqual({
      outcome: 'deny',
      reason: 'multiple_matches',
      message: 'en: several',
      session: {},
    });
  });
});

describe('decide: invalid email', () => {
  it.each([
    ['showError', { outcome: 'showError', reason: 'invalid_email', message: 'en: invalid', session: { journey: 'signup' } }],
    ['deny', { outcome: 'deny', reason: 'invalid_email', message: 'en: invalid', session: { journey: 'signup' } }],
    ['allow', { outcome: 'allow', reason: 'invalid_email', attributes: invalid.attributes, session: { journey: 'signup' } }],
  ])('follows invalidEmail = %s', (invalidEmail, expected) => {
    expect(decide(config({ policy: { invalidEmail } }), invalid, { kind: 'skipped' })).toEqual(expected);
  });

  it('decides by invalidEmail when the lookup was skipped, whatever the registration says', () => {
    expect(decide(config({ policy: { invalidEmail: 'deny' } }), registration(), { kind: 'skipped' })).toEqual({
      outcome: 'deny',
      reason: 'invalid_email',
      message: 'en: invalid',
      session: {},
    });
  });

  it('decides by invalidEmail whatever the lookup says', () => {
    expect(decide(config({ policy: { invalidEmail: 'deny' } }), invalid, found(contact(ID_NEW, '2024-01-01T00:00:00Z')))).toMatchObject({
      outcome: 'deny',
      reason: 'invalid_email',
    });
  });
});

describe('decide: lookup failed', () => {
  it.each([
    ['showError', { outcome: 'showError', reason: 'lookup_failed', message: 'en: unavailable', session: { journey: 'signup' } }],
    ['deny', { outcome: 'deny', reason: 'lookup_failed', message: 'en: unavailable', session: { journey: 'signup' } }],
  ])('follows onError = %s with the unavailable message', (onError, expected) => {
    expect(decide(config({ policy: { onError } }), registration({}, { journey: 'signup' }), failed)).toEqual(expected);
  });

  it('allows unchanged when onError is allow', () => {
    const input = registration({ name: { givenName: 'Ada' } });
    expect(decide(config({ policy: { onError: 'allow' } }), input, failed)).toEqual({
      outcome: 'allow',
      reason: 'lookup_failed',
      attributes: input.attributes,
      session: {},
    });
  });

  it('never puts the failure into the message', () => {
    const decision = decide(config({ policy: { onError: 'showError' } }), registration(), failed);
    expect(decision.outcome !== 'allow' && decision.message).toBe('en: unavailable');
  });
});

describe('decide: an incoming link on every path without a match', () => {
  const linked = { journey: 'signup', dynamics: { source: 'crm', ...LINK_NEW } };
  const withLink = (registration: Registration): Registration => ({ ...registration, session: linked });

  it.each([
    ['no contact, notFound allow', config(), withLink(registration()), found()],
    ['no contact, notFound showError', config({ policy: { notFound: 'showError' } }), withLink(registration()), found()],
    [
      'several, multipleMatches showError',
      config({ policy: { multipleMatches: 'showError' } }),
      withLink(registration()),
      found(contact(ID_OLD, '2023-01-01T00:00:00Z'), contact(ID_MID, '2024-01-01T00:00:00Z')),
    ],
    [
      'several, multipleMatches deny',
      config({ policy: { multipleMatches: 'deny' } }),
      withLink(registration()),
      found(contact(ID_OLD, '2023-01-01T00:00:00Z'), contact(ID_MID, '2024-01-01T00:00:00Z')),
    ],
    ['invalid email, invalidEmail allow', config({ policy: { invalidEmail: 'allow' } }), withLink(invalid), { kind: 'skipped' } as const],
    ['lookup failed, onError allow', config({ policy: { onError: 'allow' } }), withLink(registration()), failed],
    ['lookup failed, onError showError', config(), withLink(registration()), failed],
  ])('is removed (%s), the other session keys kept', (_label, cfg, input, lookup) => {
    expect(decide(cfg, input, lookup).session).toEqual({ journey: 'signup', dynamics: { source: 'crm' } });
  });
});

describe('decide: message language', () => {
  const showAll = config({ policy: { notFound: 'showError' } });

  it('falls back from de-DE to de', () => {
    expect(decide(showAll, registration({}, {}, ['de-DE']), found())).toMatchObject({ message: 'de: not found' });
  });

  it('uses the first ui_locale the config has', () => {
    expect(decide(showAll, registration({}, {}, ['ja', 'fr-CA', 'de']), found())).toMatchObject({ message: 'fr-CA: not found' });
  });

  it('uses en when no ui_locale matches', () => {
    expect(decide(showAll, registration({}, {}, ['ja', 'pt-BR']), found())).toMatchObject({ message: 'en: not found' });
  });

  it('uses the built-in English messages when the config sets none', () => {
    const defaults = parseConfig({
      dataverse: { url: 'https://contoso.crm4.dynamics.com' },
      auth: { tenantId: '11111111-2222-3333-4444-555555555555', clientId: '66666666-7777-8888-9999-000000000000', clientSecretVariable: 'S' },
      policy: { onError: 'deny' },
    });
    expect(decide(defaults, registration({}, {}, ['de']), failed)).toMatchObject({ outcome: 'deny', message: DEFAULT_MESSAGES.unavailable });
  });
});

describe('decide: entitlement rules (lookup.where)', () => {
  const rules = { lookup: { where: { msdyn_portalaccess: true, customertypecode: [1, 3] } } };
  const entitled = contact(ID_NEW, '2024-05-01T10:00:00Z', { msdyn_portalaccess: true, customertypecode: 3 });
  const wrongType = contact(ID_OLD, '2024-06-01T10:00:00Z', { msdyn_portalaccess: true, customertypecode: 2 });
  const noAccess = contact(ID_MID, '2024-07-01T10:00:00Z', { msdyn_portalaccess: false, customertypecode: 1 });

  it('allows a contact that satisfies every rule', () => {
    expect(decide(config(rules), registration(), found(entitled))).toMatchObject({ outcome: 'allow', reason: 'matched', contactId: ID_NEW });
  });

  it('answers a contact failing one rule as not_entitled by policy.notEntitled (showError by default), with its own message', () => {
    expect(decide(config(rules), registration(), found(wrongType))).toEqual({
      outcome: 'showError',
      reason: 'not_entitled',
      message: DEFAULT_MESSAGES.notEntitled,
      session: {},
    });
    expect(decide(config({ ...rules, policy: { notEntitled: 'deny' } }), registration(), found(noAccess))).toMatchObject({
      outcome: 'deny',
      reason: 'not_entitled',
    });
  });

  it('keeps not_found for no contact at all, so the two are told apart', () => {
    expect(decide(config(rules), registration(), found())).toMatchObject({ outcome: 'allow', reason: 'not_found' });
  });

  it('decides among the entitled contacts only: one entitled beside unentitled ones is a match, not several', () => {
    expect(decide(config(rules), registration(), found(wrongType, entitled, noAccess))).toMatchObject({
      outcome: 'allow',
      reason: 'matched',
      contactId: ID_NEW,
    });
  });
});

describe('decide: link.attribute', () => {
  const linked = { link: { attribute: 'custom.dynamicsContactId' } };
  const ada = contact(ID_NEW, '2024-05-01T10:00:00Z');

  it('writes the matched contact id into the attribute, over a value the registrant typed', () => {
    const decision = decide(config(linked), registration({ custom: { dynamicsContactId: ID_OLD, tier: 'gold' } }), found(ada));
    expect(decision).toMatchObject({ outcome: 'allow', attributes: { custom: { dynamicsContactId: ID_NEW, tier: 'gold' } } });
  });

  it('removes a typed value when no contact is matched and the registration is allowed', () => {
    const decision = decide(config(linked), registration({ custom: { dynamicsContactId: ID_OLD, tier: 'gold' } }), found());
    expect(decision).toMatchObject({ outcome: 'allow', reason: 'not_found', attributes: { custom: { tier: 'gold' } } });
    expect((decision as unknown as { attributes: { custom: object } }).attributes.custom).not.toHaveProperty('dynamicsContactId');
  });
});

describe('decide: throttling', () => {
  it('names a Dataverse 429 that did not fit the deadline throttled, decided by policy.onError', () => {
    const throttled: LookupOutcome = {
      kind: 'failed',
      error: new HookError('throttled', 'Dataverse throttled the request.', { stage: 'dataverse', status: 429, retryAfterMs: 30_000 }),
    };
    expect(decide(config(), registration(), throttled)).toMatchObject({ outcome: 'showError', reason: 'throttled', message: EN.unavailable });
  });
});
