/**
 * The deactivation after an account deletion as a hook kind (see `./kind-facts.ts`). Strivacity
 * publishes no argument for POST_ACCOUNT_DELETION, nor whether a deleted account's attributes are
 * still passed: the sample payloads are ASSUMED, the same shape as the account-update ones.
 */
import type { KindFacts, PayloadCase } from './kind-facts.js';
import { accountPayload, accountPayloadFor, unreadablePayload } from './post-account-update.js';

export function accountDeletionPayloads(knownEmail = 'ada.lovelace@example.com'): PayloadCase[] {
  return [
    {
      file: '01-known-customer.json',
      description: 'ASSUMED shape: one active contact has this email',
      expect: 'deactivated (email_match): statecode 1, statuscode 2, plus deletion.setColumns',
      payload: accountPayload(knownEmail),
    },
    {
      file: '02-not-in-the-crm.json',
      description: 'ASSUMED shape: no active contact has this email',
      expect: 'skipped (no_match): nothing written',
      payload: accountPayload('new.person@example.com'),
    },
    {
      file: '03-two-contacts.json',
      description: 'ASSUMED shape: two contacts share the email',
      expect: 'skipped (multiple_matches) at warn: none is deactivated',
      payload: accountPayload('grace.hopper@example.com'),
    },
    {
      file: '04-unreadable-arguments.json',
      description: 'no configured path holds an email or a link',
      expect: 'skipped (contract_mismatch) at error, with the argument key paths; Dataverse not asked',
      payload: unreadablePayload(),
    },
  ];
}

export const POST_ACCOUNT_DELETION_KIND = {
  name: 'post-account-deletion',
  strivacityType: 'POST_ACCOUNT_DELETION',
  /** "An account was deleted; used to sync deletion to an external identity store" (third-party; lifecycle-hooks.md 1.7). */
  blocking: false,
  role: 'writes',
  defaultHookName: 'Dynamics 365 account deletion',
  summary: 'after an account is deleted: deactivate the linked or matched contact (never delete it)',
  contractSource: 'assumed: arguments unpublished; the pre-registration shape, then customer.info (account.emailPaths, account.attributePaths)',
  payloadFor: accountPayloadFor,
  logEvent: 'account.deleted',
  samplePayloads: accountDeletionPayloads,
} as const satisfies KindFacts;
