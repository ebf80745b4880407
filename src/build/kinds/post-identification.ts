/**
 * The facts of the sign-in gate as a hook kind, in one place: its `--hook` name, its Strivacity
 * type, whether Strivacity waits for it, and sample arguments in the shape Strivacity's published
 * example documents. The build and the command line read this object; the hook itself does not, so
 * it is not bundled into the pasted file.
 * https://github.com/Strivacity/integrations/blob/main/hooks/seczetta/post-identification.hook.js
 */
import { setPath } from '../../hook/attributes.js';
import type { Attributes } from '../../hook/input.js';
import type { KindFacts, PayloadCase } from './kind-facts.js';

/** Arguments of a POST_IDENTIFICATION hook for `email`, with an optional contact id kept on the account. */
export function postIdentificationPayload(email: unknown, options: { contactId?: string; locales?: readonly string[] } = {}): Record<string, unknown> {
  const info: Record<string, unknown> = { id: 'b6a1f0e2-7c3d-4e5f-9a8b-1c2d3e4f5a6b', userName: email };
  if (options.contactId !== undefined) info['custom'] = { dynamicsContactId: options.contactId };
  return {
    application: { name: 'Brand Web', client_id: 'brand-web' },
    oidc_context: { acr_values: [], ui_locales: options.locales ?? ['en'] },
    customer: {
      ip_address: '203.0.113.10',
      store: 'customers',
      info,
      groups: [],
      location: { city: 'London', state: '', country: 'United Kingdom', country_code: 'GB', coordinates: { latitude: 51.5, longitude: -0.12 } },
    },
    authenticators: [],
    requested_scopes: ['openid'],
    session: { journey: 'login' },
    continue_context: null,
    continue_request_parameters: { callback_url: 'https://brand.example/callback', state: 'xyz' },
  };
}

/** The recorded contact of ada.lovelace@example.com (src/harness/recorded/contacts-one.json). */
const RECORDED_CONTACT_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';

/** A handful of sign-ins a try-out or a demo can run; `custom.dynamicsContactId` is the link attribute they assume. */
export function signInPayloads(knownEmail = 'ada.lovelace@example.com'): PayloadCase[] {
  return [
    {
      file: '01-known-customer.json',
      description: 'one active contact has this email',
      expect: 'allow (AllowAuthentication)',
      payload: postIdentificationPayload(knownEmail),
    },
    {
      file: '02-linked-customer.json',
      description: 'the account carries the contact link (link.attribute custom.dynamicsContactId)',
      expect: 'allow, by the link (verified against the email)',
      payload: postIdentificationPayload(knownEmail, { contactId: RECORDED_CONTACT_ID }),
    },
    {
      file: '03-unknown-person.json',
      description: 'no contact has this email',
      expect: 'login.notFound (default showError)',
      payload: postIdentificationPayload('new.person@example.com'),
    },
    {
      file: '04-no-email-identifier.json',
      description: 'the identifier is a phone number, no email path holds an email',
      expect: 'login.notFound (invalid_email), Dataverse not asked',
      payload: postIdentificationPayload('+442079460018'),
    },
  ];
}

export const POST_IDENTIFICATION_KIND = {
  name: 'post-identification',
  strivacityType: 'POST_IDENTIFICATION',
  /** "called from the Post identification hook in a blocking manner" (the published example). */
  blocking: true,
  role: 'decides',
  defaultHookName: 'Dynamics 365 sign-in gate',
  summary: 'at every sign-in, after the identifier: allow an active, entitled contact, else show a message or deny',
  contractSource: 'published: Strivacity/integrations hooks/seczetta/post-identification.hook.js',
  payloadFor: (email, options = {}) => {
    const payload = postIdentificationPayload(email, options.locales === undefined ? {} : { locales: options.locales });
    if (options.link === undefined) return payload;
    const customer = payload['customer'] as { info: Attributes };
    return { ...payload, customer: { ...customer, info: setPath(customer.info, options.link.attribute, options.link.contactId) } };
  },
  logEvent: 'login.decided',
  samplePayloads: signInPayloads,
} as const satisfies KindFacts;
