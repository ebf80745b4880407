/**
 * The sign-in decision: a pure function of (config, sign-in, lookup outcome), like the
 * registration's `decide`. The differences are the policies (`login.*`), the messages, and that a
 * CRM failure allows by default (`login.onError: allow`): at sign-in an outage must not lock every
 * customer out.
 */
import type { Config, Messages } from '../../config.js';
import type { Contact } from '../../dataverse.js';
import { failureReason, mostRecent } from '../../decide.js';
import { entitledOnly } from '../../entitlement.js';
import type { HookError } from '../../errors.js';
import type { Session } from '../../input.js';
import { type LinkUse, withLink, withoutLink } from '../../link.js';
import { pickMessages } from '../../messages.js';
import type { Identification } from './input.js';

export type { LinkUse } from '../../link.js';

export type LoginLookup =
  | { readonly kind: 'no_email' } // no path held an email: Dataverse was not asked
  | {
      readonly kind: 'contacts';
      /** Active contacts found (by the link, or by email); empty when none, or only an inactive one. */
      readonly contacts: readonly Contact[];
      /** The linked contact exists but is inactive (with `lookup.activeOnly`). */
      readonly inactive?: boolean;
      readonly link?: LinkUse;
    }
  | { readonly kind: 'failed'; readonly error: HookError; readonly link?: LinkUse };

/** Why the gate decided as it did: logged, never shown. */
export type LoginReason =
  | 'matched'
  | 'matched_most_recent'
  | 'not_found'
  | 'inactive'
  | 'not_entitled'
  | 'multiple_matches'
  | 'no_email' // the arguments held no email at login.emailPaths (the inferred contract did not hold)
  | 'lookup_failed'
  | 'throttled';

export type LoginDecision =
  | { readonly outcome: 'allow'; readonly reason: LoginReason; readonly session: Session; readonly contactId?: string }
  | { readonly outcome: 'showError' | 'deny'; readonly reason: LoginReason; readonly message: string; readonly session: Session };

const MESSAGE_OF: Record<LoginReason, keyof Messages> = {
  matched: 'loginUnavailable',
  matched_most_recent: 'loginUnavailable',
  not_found: 'loginNotFound',
  inactive: 'loginNotFound',
  not_entitled: 'loginNotEntitled',
  multiple_matches: 'loginMultipleMatches',
  no_email: 'loginUnavailable',
  lookup_failed: 'loginUnavailable',
  throttled: 'loginUnavailable',
};

/**
 * The answer to one sign-in. The session carries the link again only for the contact allowed in
 * this run; on every other path an incoming link is removed.
 */
export function decideLogin(config: Config, signIn: Identification, lookup: LoginLookup): LoginDecision {
  const session = withoutLink(signIn.session);
  const byPolicy = (policy: 'allow' | 'showError' | 'deny', reason: LoginReason): LoginDecision =>
    policy === 'allow'
      ? { outcome: 'allow', reason, session }
      : { outcome: policy, reason, message: pickMessages(config.messages, signIn.locales)[MESSAGE_OF[reason]], session };

  // Without an email nothing can be checked: the gate's contract is in doubt, which is an error, not a verdict.
  if (lookup.kind === 'no_email' || signIn.email === undefined) return byPolicy(config.login.onError, 'no_email');
  if (lookup.kind === 'failed') return byPolicy(config.login.onError, failureReason(lookup.error));
  if (lookup.contacts.length === 0) return byPolicy(config.login.notFound, lookup.inactive === true ? 'inactive' : 'not_found');
  const [first, ...others] = entitledOnly(lookup.contacts, config.lookup.where);
  if (first === undefined) return byPolicy(config.login.notEntitled, 'not_entitled');
  const email = signIn.email;
  const allow = (contact: Contact, reason: LoginReason): LoginDecision => ({
    outcome: 'allow',
    reason,
    session: withLink(session, config.auth.tenantId, contact.contactid, email),
    contactId: contact.contactid,
  });
  if (others.length === 0) return allow(first, 'matched');
  if (config.policy.multipleMatches !== 'allowMostRecent') return byPolicy(config.policy.multipleMatches, 'multiple_matches');
  return allow(mostRecent([first, ...others]), 'matched_most_recent');
}
