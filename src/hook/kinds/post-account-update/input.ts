/**
 * An account update as the post-account-update hook reads it: the email, the contact id kept on
 * the account (`link.attribute`) and the attributes whose values `sync.columns` writes. Strivacity
 * publishes no argument for POST_ACCOUNT_UPDATE (research: lifecycle-hooks.md 1.5): where each is
 * read is `account.emailPaths` and `account.attributePaths`, defaults assumed (see `account.ts`).
 * Whether the runtime passes the new values only, or before and after, is unknown too: the first
 * attributes object found is taken as the account as it now is.
 */
import { type AccountArguments, parseAccountArguments } from '../../account.js';
import type { Config } from '../../config.js';

export type AccountUpdate = AccountArguments;

export function parseAccountUpdate(args: unknown, config: Config): AccountUpdate {
  return parseAccountArguments(args, config);
}
