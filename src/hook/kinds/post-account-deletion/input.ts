/**
 * An account deletion as the post-account-deletion hook reads it: the email and the contact id kept
 * on the account (`link.attribute`); no attribute value is written. Strivacity publishes no argument
 * for POST_ACCOUNT_DELETION (research: lifecycle-hooks.md 1.7), and whether a deleted account's
 * attributes are still passed is the key unknown: when they are not, the run logs
 * `contract_mismatch` and touches nothing (see `account.ts`).
 */
import { type AccountArguments, parseAccountArguments } from '../../account.js';
import type { Config } from '../../config.js';

export type AccountDeletion = Omit<AccountArguments, 'attributes'>;

export function parseAccountDeletion(args: unknown, config: Config): AccountDeletion {
  const { email, linkedId, raw } = parseAccountArguments(args, config);
  return { ...(email === undefined ? {} : { email }), ...(linkedId === undefined ? {} : { linkedId }), raw };
}
