/**
 * What the two account hooks (POST_ACCOUNT_UPDATE, POST_ACCOUNT_DELETION) share: reading their
 * arguments, and the checks and reasons that follow from not knowing them.
 *
 * Their arguments are NOT published (research: lifecycle-hooks.md 1.5 and 1.7: no example, no
 * schema; only a third-party summary says both are asynchronous). So every place the hook reads is
 * a configurable list of paths (`account.emailPaths`, `account.attributePaths`), whose defaults
 * assume the pre-registration shape (`customer.attributes`) first and the post-identification one
 * (`customer.info`) after. When the assumption is wrong the hook writes nothing and says so, with the
 * argument's key paths: `contract --type POST_ACCOUNT_UPDATE` shows the real contract of a tenant.
 */
import { argumentKeyPaths, firstEmail, objectsAt, readPath } from './argument-paths.js';
import type { Config } from './config.js';
import { asObject, type Attributes } from './input.js';
import type { WriterOutcome } from './writer-hook.js';

/** An account event as the account hooks read it. */
export interface AccountArguments {
  /** The first valid email at `account.emailPaths`; absent when none holds one. */
  readonly email?: string;
  /** What the attributes hold at `link.attribute` (unchecked: it may be anything). */
  readonly linkedId?: unknown;
  /** The first object at `account.attributePaths` (empty when none). */
  readonly attributes: Attributes;
  /** The arguments themselves, kept for the key paths of a `contract_mismatch` line. */
  readonly raw: unknown;
}

/** Reads an account event; never throws, whatever the shape. */
export function parseAccountArguments(args: unknown, config: Config): AccountArguments {
  const root = asObject(args) ?? {};
  const objects = objectsAt(root, config.account.attributePaths);
  const email = firstEmail(root, config.account.emailPaths);
  const attribute = config.link.attribute;
  const linkedId = attribute === undefined ? undefined : objects.map((object) => readPath(object, attribute)).find((value) => value !== undefined);
  return { ...(email === undefined ? {} : { email }), ...(linkedId === undefined ? {} : { linkedId }), attributes: objects[0] ?? {}, raw: args };
}

/**
 * The outcome of a run whose arguments held no email: nothing is written. Neither an email nor a
 * link: the assumed contract did not hold (logged at `error`, with the key paths). A link without
 * an email: the link cannot be verified, and a contact id an account holder may have edited must
 * not choose the contact that is written or deactivated.
 */
export function withoutEmail(account: Pick<AccountArguments, 'linkedId' | 'raw'>): WriterOutcome {
  if (account.linkedId !== undefined) return { fields: { outcome: 'skipped', reason: 'link_unverified' }, level: 'error' };
  return { fields: { outcome: 'skipped', reason: 'contract_mismatch', argumentPaths: argumentKeyPaths(account.raw) }, level: 'error' };
}
