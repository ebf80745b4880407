import { describe, expect, it } from 'vitest';
import { DEFAULT_MESSAGES, parseConfig } from '../../../../src/hook/config.js';
import type { Contact } from '../../../../src/hook/dataverse.js';
import { HookError } from '../../../../src/hook/errors.js';
import { decideLogin, type LoginLookup } from '../../../../src/hook/kinds/post-identification/decide.js';
import type { Identification } from '../../../../src/hook/kinds/post-identification/input.js';

const ID_A = '00000000-0000-0000-0000-00000000000a';
const ID_B = '00000000-0000-0000-0000-00000000000b';
const config = (sections: Record<string, unknown> = {}) =>
  parseConfig({
    dataverse: { url: 'https://contoso.crm4.dynamics.com' },
    auth: { tenantId: '11111111-2222-3333-4444-555555555555', clientId: '66666666-7777-8888-9999-000000000000', clientSecretVariable: 'S' },
    lookup: { where: { msdyn_portalaccess: true } },
    ...sections,
  });
const signIn: Identification = { email: 'ada@example.com', session: { journey: 'login', dynamics: { contactId: ID_B, linkHash: 'old' } }, locales: [] };
const contact = (contactid: string, modifiedon: string, portal = true): Contact => ({
  contactid,
  modifiedon: new Date(modifiedon),
  msdyn_portalaccess: portal,
});
const found = (...contacts: Contact[]): LoginLookup => ({ kind: 'contacts', contacts });

describe('decideLogin', () => {
  it('allows one entitled contact and links it in the session', () => {
    expect(decideLogin(config(), signIn, found(contact(ID_A, '2024-01-01T00:00:00Z')))).toMatchObject({
      outcome: 'allow',
      reason: 'matched',
      contactId: ID_A,
      session: { journey: 'login', dynamics: { contactId: ID_A } },
    });
  });

  it('removes an incoming link on every other path', () => {
    expect(decideLogin(config(), signIn, found())).toEqual({
      outcome: 'showError',
      reason: 'not_found',
      message: DEFAULT_MESSAGES.loginNotFound,
      session: { journey: 'login' },
    });
  });

  it('tells inactive, not entitled and several apart, each with its policy and message', () => {
    expect(decideLogin(config({ login: { notFound: 'deny' } }), signIn, { kind: 'contacts', contacts: [], inactive: true })).toMatchObject({
      outcome: 'deny',
      reason: 'inactive',
    });
    expect(decideLogin(config(), signIn, found(contact(ID_A, '2024-01-01T00:00:00Z', false)))).toMatchObject({
      outcome: 'showError',
      reason: 'not_entitled',
      message: DEFAULT_MESSAGES.loginNotEntitled,
    });
    const two = found(contact(ID_A, '2024-01-01T00:00:00Z'), contact(ID_B, '2025-01-01T00:00:00Z'));
    expect(decideLogin(config(), signIn, two)).toMatchObject({ outcome: 'allow', reason: 'matched_most_recent', contactId: ID_B });
    expect(decideLogin(config({ policy: { multipleMatches: 'deny' } }), signIn, two)).toMatchObject({
      outcome: 'deny',
      reason: 'multiple_matches',
      message: DEFAULT_MESSAGES.loginMultipleMatches,
    });
  });

  it('fails open by default on a failure, and by login.onError when set', () => {
    const failed: LoginLookup = { kind: 'failed', error: new HookError('server', 'Dataverse failed the request.', { stage: 'dataverse', status: 503 }) };
    expect(decideLogin(config(), signIn, failed)).toEqual({ outcome: 'allow', reason: 'lookup_failed', session: { journey: 'login' } });
    expect(decideLogin(config({ login: { onError: 'showError' } }), signIn, failed)).toMatchObject({
      outcome: 'showError',
      message: DEFAULT_MESSAGES.loginUnavailable,
    });
  });

  it('names a hold or a 429 that outlasts the deadline throttled, and a missing email no_email', () => {
    const held: LoginLookup = {
      kind: 'failed',
      error: new HookError('throttled', 'Dataverse requests are on hold after a 429.', { stage: 'dataverse', retryAfterMs: 9000 }),
    };
    expect(decideLogin(config(), signIn, held)).toMatchObject({ outcome: 'allow', reason: 'throttled' });
    expect(decideLogin(config({ login: { onError: 'deny' } }), { session: {}, locales: [] }, { kind: 'no_email' })).toMatchObject({
      outcome: 'deny',
      reason: 'no_email',
    });
  });
});
