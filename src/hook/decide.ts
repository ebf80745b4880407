/**
 * The decision: a pure function of (config, registration, lookup outcome). No I/O, no clock, so
 * every policy combination is tested without a network.
 */
import { getPath, isEmptyValue, setPath, toAttributeValue } from './attributes.js';
import type { Config, Messages } from './config.js';
import type { Contact } from './dataverse.js';
import type { HookError } from './errors.js';
import type { Attributes, Registration, Session } from './input.js';
import { entitledOnly } from './entitlement.js';
import { withLink, withLinkAttribute, withoutLink } from './link.js';
import { pickMessages } from './messages.js';
import { type SkippedValue, valueProblem } from './values.js';

export type LookupOutcome =
  | { readonly kind: 'skipped' } // invalid input: Dataverse was not asked
  | { readonly kind: 'contract_mismatch' } // the arguments hold no email where the kind assumes one: not asked either
  | { readonly kind: 'contacts'; readonly contacts: readonly Contact[] }
  | { readonly kind: 'failed'; readonly error: HookError };

/** Why the hook decided as it did: logged, never shown. */
export type Reason =
  | 'matched'
  | 'matched_most_recent'
  | 'not_found'
  | 'not_entitled' // contacts have the email, none satisfies lookup.where
  | 'multiple_matches'
  | 'invalid_email'
  | 'contract_mismatch' // no configured argument path held an email: the assumed argument shape did not hold
  | 'lookup_failed'
  | 'throttled'; // Dataverse asked to wait longer than the deadline allows (or a shared hold outlasts it)

export type Decision =
  | {
      readonly outcome: 'allow';
      readonly reason: Reason;
      readonly attributes: Attributes;
      readonly session: Session;
      readonly contactId?: string;
      /** Contact values that were not copied (too long, or unreadable by the library); only when some were. */
      readonly skipped?: readonly SkippedValue[];
    }
  | { readonly outcome: 'showError' | 'deny'; readonly reason: Reason; readonly message: string; readonly session: Session };

const MESSAGE_OF: Record<Reason, keyof Messages> = {
  matched: 'unavailable',
  matched_most_recent: 'unavailable',
  not_found: 'notFound',
  multiple_matches: 'multipleMatches',
  invalid_email: 'invalidEmail',
  contract_mismatch: 'unavailable',
  lookup_failed: 'unavailable',
  not_entitled: 'notEntitled',
  throttled: 'unavailable',
};

/**
 * The answer to one registration. Only a contact matched in this run is linked in the session; on
 * every other path an incoming link is removed, so that a link from an earlier attempt with another
 * email never reaches the post-registration hook.
 */
export function decide(config: Config, registration: Registration, lookup: LookupOutcome): Decision {
  const session = withoutLink(registration.session);
  const policyOutcome = (policy: 'allow' | 'showError' | 'deny', reason: Reason): Decision =>
    policy === 'allow'
      ? { outcome: 'allow', reason, attributes: withLinkAttribute(registration.attributes, config.link.attribute, undefined), session }
      : { outcome: policy, reason, message: pickMessages(config.messages, registration.locales)[MESSAGE_OF[reason]], session };

  // Not the person's fault but the hook's assumption about its arguments: an error, decided as one.
  if (lookup.kind === 'contract_mismatch') return policyOutcome(config.policy.onError, 'contract_mismatch');
  if (!registration.valid || lookup.kind === 'skipped') return policyOutcome(config.policy.invalidEmail, 'invalid_email');
  if (lookup.kind === 'failed') return policyOutcome(config.policy.onError, failureReason(lookup.error));
  if (lookup.contacts.length === 0) return policyOutcome(config.policy.notFound, 'not_found');
  // The rules are evaluated on the contacts found: one that has the email but fails them is
  // `not_entitled`, which an administrator may answer differently from "unknown person".
  const [first, ...others] = entitledOnly(lookup.contacts, config.lookup.where);
  if (first === undefined) return policyOutcome(config.policy.notEntitled, 'not_entitled');
  if (others.length === 0) return allowWith(config, registration.email, registration.attributes, session, first, 'matched');
  if (config.policy.multipleMatches !== 'allowMostRecent') return policyOutcome(config.policy.multipleMatches, 'multiple_matches');
  return allowWith(config, registration.email, registration.attributes, session, mostRecent([first, ...others]), 'matched_most_recent');
}

/** `throttled` when Dataverse's wait did not fit the deadline; every other failure is `lookup_failed`. */
export function failureReason(error: HookError): 'throttled' | 'lookup_failed' {
  return error.code === 'throttled' && error.stage === 'dataverse' ? 'throttled' : 'lookup_failed';
}

export function mostRecent(contacts: readonly Contact[]): Contact {
  return contacts.reduce((newest, contact) => (contact.modifiedon.getTime() > newest.modifiedon.getTime() ? contact : newest));
}

function allowWith(config: Config, email: string, attributes: Attributes, session: Session, contact: Contact, reason: Reason): Decision {
  const skipped: SkippedValue[] = [];
  return {
    outcome: 'allow',
    reason,
    attributes: withLinkAttribute(
      enrichAttributes(attributes, contact, config.enrich, config.enrichOverwrite, config.policy.maxValueLength, skipped),
      config.link.attribute,
      contact.contactid,
    ),
    session: withLink(session, config.auth.tenantId, contact.contactid, email),
    contactId: contact.contactid,
    ...(skipped.length === 0 ? {} : { skipped }),
  };
}

/**
 * Completes the registration from the contact: for each `attribute path -> column`, the column's
 * value is written when the attribute is empty (or always, with `overwrite`). Empty CRM values
 * never erase what the person typed. A value longer than `maxLength` characters is not copied; its
 * column is pushed to `skipped` for the log.
 */
export function enrichAttributes(
  attributes: Attributes,
  contact: Contact,
  enrich: Readonly<Record<string, string>>,
  overwrite: boolean,
  maxLength: number,
  skipped: SkippedValue[],
): Attributes {
  let result = attributes;
  for (const [path, column] of Object.entries(enrich)) {
    const value = toAttributeValue(contact[column]);
    if (value === undefined) continue;
    if (!overwrite && !isEmptyValue(getPath(result, path))) continue;
    const problem = valueProblem(value, maxLength);
    if (problem !== undefined) {
      skipped.push({ column, problem });
      continue;
    }
    result = setPath(result, path, value);
  }
  return result;
}
