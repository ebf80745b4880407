/**
 * The CRM write after registration as a hook kind (see `./kind-facts.ts`). Its arguments are
 * assumed to be the pre-registration shape with the form filled in (unpublished: see
 * docs/post-registration.md); Strivacity does not wait for its answer.
 */
import type { KindFacts, PayloadCase } from './kind-facts.js';
import { registrationPayload } from './pre-registration.js';

/** A registration as the post-registration hook sees it: the form filled in. */
function completedRegistration(email: string, attributes: Record<string, unknown> = {}): Record<string, unknown> {
  const payload = registrationPayload(email);
  const customer = payload['customer'] as { attributes: Record<string, unknown> };
  const filled = { name: { givenName: 'Alan', familyName: 'Turing' }, phoneNumbers: { primaryPhoneNumber: '+44 20 7946 0000' }, ...attributes };
  return { ...payload, customer: { ...customer, attributes: { ...customer.attributes, ...filled } } };
}

/**
 * The post-registration hook's cases. No case carries a contact link: a link is bound to the
 * tenant and is written by the pre-registration hook, so the email decides here.
 */
export function postRegistrationPayloads(knownEmail = 'ada.lovelace@example.com'): PayloadCase[] {
  return [
    {
      file: '01-known-customer.json',
      description: 'one contact has this email; the form has a name and a phone',
      expect: 'unchanged (email_match): it holds every column (fillEmpty); updated with updateExisting overwrite',
      payload: completedRegistration(knownEmail),
    },
    {
      file: '02-known-customer-blank-form.json',
      description: 'one contact has this email; nothing mapped was typed',
      expect: 'unchanged (email_match): a blank field never erases a CRM value',
      payload: completedRegistration(knownEmail, { name: { givenName: '', familyName: '' }, phoneNumbers: {} }),
    },
    {
      file: '03-new-customer.json',
      description: 'no contact has this email',
      expect: 'created (no_match), or skipped with sync.createIfMissing false',
      payload: completedRegistration('new.person@example.com'),
    },
    {
      file: '04-two-contacts.json',
      description: 'two contacts share the email',
      expect: 'updated (email_match_most_recent): the newest one, only its empty columns',
      payload: completedRegistration('grace.hopper@example.com'),
    },
    {
      file: '05-invalid-email.json',
      description: 'not an email address',
      expect: 'skipped (invalid_email), Dataverse not asked',
      payload: completedRegistration('not-an-email'),
    },
  ];
}

export const POST_REGISTRATION_KIND = {
  name: 'post-registration',
  strivacityType: 'POST_REGISTRATION',
  blocking: false,
  role: 'writes',
  defaultHookName: 'Dynamics 365 post-registration',
  summary: 'after an account is created: write its attributes to the contact (create it if missing)',
  contractSource: 'assumed: the pre-registration arguments with the form filled in (unpublished)',
  // `try --email`: the registration as the pre-registration hook saw it (the form's values come from --payload).
  payloadFor: (email, options) => registrationPayload(email, options?.locales),
  logEvent: 'registration.synced',
  samplePayloads: postRegistrationPayloads,
} as const satisfies KindFacts;
