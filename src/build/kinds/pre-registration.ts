/**
 * The registration gate as a hook kind (see `./kind-facts.ts`). The arguments are those of
 * Strivacity's published pre-registration examples and the seed documents: the typed email at
 * `customer.attributes.emails.primaryEmail`.
 */
import type { KindFacts, PayloadCase } from './kind-facts.js';

/** A Strivacity-shaped pre-registration payload for one email. */
export function registrationPayload(email: unknown, locales: readonly string[] = ['en']): Record<string, unknown> {
  return {
    application: { name: 'Brand Web', client_id: 'brand-web' },
    oidc_context: { acr_values: [], ui_locales: locales },
    customer: {
      ip_address: '203.0.113.10',
      store: 'customers',
      attributes: { emails: { primaryEmail: email }, name: { givenName: '', familyName: '' } },
      identifiers: {},
      consents: [],
    },
    session: { journey: 'register' },
    continue_context: null,
    continue_request_parameters: {},
  };
}

function withTypedName(payload: Record<string, unknown>, givenName: string): Record<string, unknown> {
  const customer = payload['customer'] as { attributes: Record<string, unknown> };
  return { ...payload, customer: { ...customer, attributes: { ...customer.attributes, name: { givenName, familyName: '' } } } };
}

/** The main cases, in the order an administrator would try them. */
export function samplePayloads(knownEmail = 'ada.lovelace@example.com'): PayloadCase[] {
  return [
    {
      file: '01-known-customer.json',
      description: 'one contact has this email',
      expect: 'allow, enriched, contact id in session',
      payload: registrationPayload(knownEmail),
    },
    {
      file: '02-known-customer-name-typed.json',
      description: 'known customer who typed a first name',
      expect: 'allow; the typed name is kept unless enrichOverwrite is true',
      payload: withTypedName(registrationPayload(knownEmail), 'Augusta'),
    },
    { file: '03-not-in-crm.json', description: 'no contact has this email', expect: 'policy.notFound', payload: registrationPayload('new.person@example.com') },
    {
      file: '04-not-in-crm-german.json',
      description: 'unknown email, German UI',
      expect: 'policy.notFound, message in "de" if configured',
      payload: registrationPayload('neu@example.de', ['de-DE', 'en']),
    },
    {
      file: '05-two-contacts.json',
      description: 'two contacts share the email',
      expect: 'policy.multipleMatches',
      payload: registrationPayload('grace.hopper@example.com'),
    },
    {
      file: '06-apostrophe.json',
      description: 'an apostrophe in the email (OData quote doubling)',
      expect: 'allow',
      payload: registrationPayload("siobhan.o'brien@example.com"),
    },
    {
      file: '07-invalid-email.json',
      description: 'not an email address',
      expect: 'policy.invalidEmail, Dataverse not asked',
      payload: registrationPayload('not-an-email'),
    },
    {
      file: '08-injection-attempt.json',
      description: 'an OData injection attempt',
      expect: 'policy.invalidEmail (refused before any query)',
      payload: registrationPayload("x' or emailaddress1 ne 'y@example.com"),
    },
  ];
}

export const PRE_REGISTRATION_KIND = {
  name: 'pre-registration',
  strivacityType: 'PRE_REGISTRATION',
  blocking: true,
  role: 'decides',
  defaultHookName: 'Dynamics 365 pre-registration',
  summary: 'before an account is created: allow (completed from the CRM), show a message or deny',
  contractSource: 'published: Strivacity integrations examples and hook documentation',
  payloadFor: (email, options) => registrationPayload(email, options?.locales),
  logEvent: 'registration.decided',
  samplePayloads,
} as const satisfies KindFacts;
