/**
 * The CRM following the account as a hook kind (see `./kind-facts.ts`). Strivacity publishes no
 * argument for POST_ACCOUNT_UPDATE: the sample payloads below are ASSUMED, the pre-registration
 * shape (`customer.attributes`) beside the post-identification one (`customer.info`), which is
 * what the default `account.emailPaths` and `account.attributePaths` read. Replace them with the
 * tenant's own (`contract --type POST_ACCOUNT_UPDATE`) before trusting a try-out.
 */
import { setPath } from '../../hook/attributes.js';
import type { KindFacts, PayloadCase, PayloadOptions } from './kind-facts.js';

/** The recorded contact of ada.lovelace@example.com (src/harness/recorded/contacts-one.json). */
const RECORDED_CONTACT_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';

/**
 * ASSUMED arguments of an account event for `email` (unpublished): the account's attributes as at
 * registration, with `custom.dynamicsContactId` when the account keeps its contact's id.
 */
export function accountPayload(email: unknown, options: { contactId?: string; attributes?: Record<string, unknown> } = {}): Record<string, unknown> {
  const attributes: Record<string, unknown> = {
    emails: { primaryEmail: email },
    name: { givenName: 'Ada', familyName: 'King' },
    phoneNumbers: { primaryPhoneNumber: '+44 20 7946 0111' },
    ...(options.contactId === undefined ? {} : { custom: { dynamicsContactId: options.contactId } }),
    ...options.attributes,
  };
  return {
    application: { name: 'Brand Web', client_id: 'brand-web' },
    customer: { ip_address: '203.0.113.10', store: 'customers', info: { id: 'b6a1f0e2-7c3d-4e5f-9a8b-1c2d3e4f5a6b', userName: email }, attributes },
    session: {},
  };
}

/** `try --email`'s arguments (ASSUMED shape), with the contact id at `link.attribute` when `try` gives one. */
export function accountPayloadFor(email: string, options: PayloadOptions = {}): Record<string, unknown> {
  const payload = accountPayload(email);
  if (options.link === undefined) return payload;
  const customer = payload['customer'] as { attributes: Record<string, unknown> };
  return { ...payload, customer: { ...customer, attributes: setPath(customer.attributes, options.link.attribute, options.link.contactId) } };
}

/** A payload the default paths cannot read: no email, no link (the identifier is a phone number). */
export function unreadablePayload(): Record<string, unknown> {
  return { customer: { info: { id: 'b6a1f0e2-7c3d-4e5f-9a8b-1c2d3e4f5a6b', userName: '+442079460018' } }, session: {} };
}

export function accountUpdatePayloads(knownEmail = 'ada.lovelace@example.com'): PayloadCase[] {
  return [
    {
      file: '01-known-customer.json',
      description: 'ASSUMED shape: one contact has this email; the account has a name and a phone',
      expect: 'unchanged or updated (email_match): only empty columns (fillEmpty); updated with updateExisting overwrite',
      payload: accountPayload(knownEmail),
    },
    {
      file: '02-linked-customer.json',
      description: 'ASSUMED shape: the account keeps the contact id (link.attribute custom.dynamicsContactId)',
      expect: 'by the link, verified against the email (linked_contact), with link.attribute set',
      payload: accountPayload(knownEmail, { contactId: RECORDED_CONTACT_ID }),
    },
    {
      file: '03-new-customer.json',
      description: 'ASSUMED shape: no contact has this email',
      expect: 'created (no_match), or skipped with sync.createIfMissing false',
      payload: accountPayload('new.person@example.com'),
    },
    {
      file: '04-unreadable-arguments.json',
      description: 'no configured path holds an email or a link',
      expect: 'skipped (contract_mismatch) at error, with the argument key paths; Dataverse not asked',
      payload: unreadablePayload(),
    },
  ];
}

export const POST_ACCOUNT_UPDATE_KIND = {
  name: 'post-account-update',
  strivacityType: 'POST_ACCOUNT_UPDATE',
  /** "An account was updated; used to sync to an external identity store" (third-party; lifecycle-hooks.md 1.5). */
  blocking: false,
  role: 'writes',
  defaultHookName: 'Dynamics 365 account update',
  summary: 'after an account changes: write its attributes to the linked or matched contact (create it if missing)',
  contractSource: 'assumed: arguments unpublished; the pre-registration shape, then customer.info (account.emailPaths, account.attributePaths)',
  payloadFor: accountPayloadFor,
  logEvent: 'account.synced',
  samplePayloads: accountUpdatePayloads,
} as const satisfies KindFacts;
