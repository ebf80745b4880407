/**
 * The decision: a pure function of (config, registration, lookup outcome). No I/O, no clock, so
 * every policy combination is tested without a network.
 */
import { getPath, isEmptyValue, setPath, toAttributeValue } from './attributes.js';
import type { Config, Messages } from './config.js';
import type { Contact } from './dataverse.js';
import type { HookError } from './errors.js';
import { asObject, type Attributes, type Registration, type Session } from './input.js';
import { pickMessages } from './messages.js';

export type LookupOutcome =
  | { readonly kind: 'skipped' } // invalid input: Dataverse was not asked
  | { readonly kind: 'contacts'; readonly contacts: readonly Contact[] }
  | { readonly kind: 'failed'; readonly error: HookError };

/** Why the hook decided as it did: logged, never shown. */
export type Reason = 'matched' | 'matched_most_recent' | 'not_found' | 'multiple_matches' | 'invalid_email' | 'lookup_failed';

export type Decision =
  | { readonly outcome: 'allow'; readonly reason: Reason; readonly attributes: Attributes; readonly session: Session; readonly contactId?: string }
  | { readonly outcome: 'showError' | 'deny'; readonly reason: Reason; readonly message: string; readonly session: Session };

const MESSAGE_OF: Record<Reason, keyof Messages> = {
  matched: 'unavailable',
  matched_most_recent: 'unavailable',
  not_found: 'notFound',
  multiple_matches: 'multipleMatches',
  invalid_email: 'invalidEmail',
  lookup_failed: 'unavailable',
};

export function decide(config: Config, registration: Registration, lookup: LookupOutcome): Decision {
  const policyOutcome = (policy: 'allow' | 'showError' | 'deny', reason: Reason): Decision =>
    policy === 'allow'
      ? { outcome: 'allow', reason, attributes: registration.attributes, session: registration.session }
      : { outcome: policy, reason, message: pickMessages(config.messages, registration.locales)[MESSAGE_OF[reason]], session: registration.session };

  if (!registration.valid || lookup.kind === 'skipped') return policyOutcome(config.policy.invalidEmail, 'invalid_email');
  if (lookup.kind === 'failed') return policyOutcome(config.policy.onError, 'lookup_failed');
  const [first, ...others] = lookup.contacts;
  if (first === undefined) return policyOutcome(config.policy.notFound, 'not_found');
  if (others.length === 0) return allowWith(config, registration, first, 'matched');
  if (config.policy.multipleMatches !== 'allowMostRecent') return policyOutcome(config.policy.multipleMatches, 'multiple_matches');
  return allowWith(config, registration, mostRecent(lookup.contacts), 'matched_most_recent');
}

export function mostRecent(contacts: readonly Contact[]): Contact {
  return contacts.reduce((newest, contact) => (contact.modifiedon.getTime() > newest.modifiedon.getTime() ? contact : newest));
}

function allowWith(config: Config, registration: Registration, contact: Contact, reason: Reason): Decision {
  const current = registration.session['dynamics'];
  const dynamics = asObject(current) ?? {};
  return {
    outcome: 'allow',
    reason,
    attributes: enrichAttributes(registration.attributes, contact, config.enrich, config.enrichOverwrite),
    session: { ...registration.session, dynamics: { ...dynamics, contactId: contact.contactid } },
    contactId: contact.contactid,
  };
}

/**
 * Completes the registration from the contact: for each `attribute path -> column`, the column's
 * value is written when the attribute is empty (or always, with `overwrite`). Empty CRM values
 * never erase what the person typed.
 */
export function enrichAttributes(attributes: Attributes, contact: Contact, enrich: Readonly<Record<string, string>>, overwrite: boolean): Attributes {
  let result = attributes;
  for (const [path, column] of Object.entries(enrich)) {
    const value = toAttributeValue(contact[column]);
    if (value === undefined) continue;
    if (!overwrite && !isEmptyValue(getPath(result, path))) continue;
    result = setPath(result, path, value);
  }
  return result;
}
