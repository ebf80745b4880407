/**
 * The social sign-up gate as a hook kind (see `./kind-facts.ts`). Strivacity publishes nothing about
 * PRE_EXTERNAL_REGISTRATION beyond its name in the Admin API's hook types (research:
 * lifecycle-hooks.md 1.13), so every sample here is ASSUMED: the pre-registration shape, filled as a
 * Google sign-up plausibly fills it (the provider's verified email and name), with the provider's
 * identity beside it. `probe --hook pre-external-registration` reports the real argument keys.
 */
import type { KindFacts, PayloadCase } from './kind-facts.js';

/** Where a sample puts the provider's email: both default paths, only the identifier, or nowhere. */
type EmailAt = 'attributes' | 'identifiers' | 'nowhere';

/** An assumed PRE_EXTERNAL_REGISTRATION payload for a Google sign-up with `email`. */
export function externalRegistrationPayload(email: unknown, options: { at?: EmailAt; locales?: readonly string[] } = {}): Record<string, unknown> {
  const at = options.at ?? 'attributes';
  return {
    application: { name: 'Brand Web', client_id: 'brand-web' },
    oidc_context: { acr_values: [], ui_locales: options.locales ?? ['en'] },
    customer: {
      ip_address: '203.0.113.10',
      store: 'customers',
      attributes: { ...(at === 'attributes' ? { emails: { primaryEmail: email } } : {}), name: { givenName: '', familyName: '' } },
      identifiers: at === 'nowhere' ? {} : { email },
      consents: [],
      // Assumed: which provider, and its subject (Google's `sub`), as an external sign-up would carry them.
      externalIdentity: { provider: 'google', subject: '109876543210987654321', emailVerified: at !== 'nowhere' },
    },
    session: { journey: 'register-external' },
    continue_context: null,
    continue_request_parameters: {},
  };
}

/** The main cases; the `expect` lines hold only if the assumed shape is the real one. */
export function externalRegistrationPayloads(knownEmail = 'ada.lovelace@example.com'): PayloadCase[] {
  return [
    {
      file: '01-known-customer-google.json',
      description: 'Google sign-up, one contact has the provider email (assumed shape)',
      expect: 'allow, enriched, contact id in session',
      payload: externalRegistrationPayload(knownEmail),
    },
    {
      file: '02-email-as-identifier.json',
      description: 'the email only at customer.identifiers.email (second default path)',
      expect: 'allow, enriched',
      payload: externalRegistrationPayload(knownEmail, { at: 'identifiers' }),
    },
    {
      file: '03-not-in-crm.json',
      description: 'no contact has the provider email',
      expect: 'policy.notFound',
      payload: externalRegistrationPayload('new.person@example.com'),
    },
    {
      file: '04-two-contacts.json',
      description: 'two contacts share the provider email',
      expect: 'policy.multipleMatches',
      payload: externalRegistrationPayload('grace.hopper@example.com'),
    },
    {
      file: '05-no-email.json',
      description: 'the provider shared no email: no emailPaths entry holds one',
      expect: 'policy.onError (contract_mismatch, key paths logged), Dataverse not asked',
      payload: externalRegistrationPayload(undefined, { at: 'nowhere' }),
    },
  ];
}

export const PRE_EXTERNAL_REGISTRATION_KIND = {
  name: 'pre-external-registration',
  strivacityType: 'PRE_EXTERNAL_REGISTRATION',
  /** Assumed: listed as synchronous by a third-party source only (lifecycle-hooks.md 1.13). */
  blocking: true,
  role: 'decides',
  defaultHookName: 'Dynamics 365 social sign-up',
  summary: 'before an account is created from a social or enterprise sign-up: the pre-registration decision',
  contractSource: 'assumed: Strivacity publishes no arguments or answers for PRE_EXTERNAL_REGISTRATION; the pre-registration shape',
  payloadFor: (email, options) => externalRegistrationPayload(email, options?.locales === undefined ? {} : { locales: options.locales }),
  logEvent: 'registration.decided',
  samplePayloads: externalRegistrationPayloads,
} as const satisfies KindFacts;
