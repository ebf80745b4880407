/**
 * Entitlement rules on contact columns (`lookup.where`): a contact is entitled when every named
 * column holds the value, or one of the values, the rule lists. The columns are selected in the
 * lookup the hook already makes, so a rule costs no request. Pure: no I/O.
 */
import type { Config } from './config.js';
import type { Contact } from './dataverse.js';

export type RuleValue = string | number | boolean | null;
export type Rules = Config['lookup']['where'];

/**
 * True when `contact` satisfies every rule. Text is compared trimmed and without regard to case, as
 * Dataverse's own `eq` compares it (and lookup ids come back lower case, while a GUID pasted from the
 * console may be upper case). A column the response lacks counts as null: Dataverse leaves an empty
 * column out of some responses, and a rule for `null` means "empty".
 */
export function isEntitled(contact: Contact, rules: Rules): boolean {
  for (const [column, accepted] of Object.entries(rules)) {
    const actual: unknown = contact[column] ?? null;
    const values: readonly RuleValue[] = Array.isArray(accepted) ? accepted : [accepted];
    if (!values.some((value) => sameValue(actual, value))) return false;
  }
  return true;
}

function sameValue(actual: unknown, expected: RuleValue): boolean {
  if (expected === null) return actual === null;
  if (typeof expected === 'string') return typeof actual === 'string' && actual.trim().toLowerCase() === expected.trim().toLowerCase();
  return actual === expected;
}

/** The contacts that satisfy the rules, in their order. */
export function entitledOnly(contacts: readonly Contact[], rules: Rules): Contact[] {
  return contacts.filter((contact) => isEntitled(contact, rules));
}
