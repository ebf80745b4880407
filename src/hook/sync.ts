/**
 * What the post-registration hook writes: pure functions of (config, registration), no I/O, so the
 * column mapping is tested without a network.
 */
import { getPath, isEmptyValue } from './attributes.js';
import { type Config, syncColumnsOf, type UpdateExisting } from './config.js';
import type { ColumnValue, ContactData } from './dataverse.js';
import type { Attributes } from './input.js';
import { type SkippedValue, valueProblem } from './values.js';

/**
 * How the contact to write was chosen; `stale_link_` when the linked contact no longer existed,
 * `ignored_link_` when the session held a contact id not bound to the registering email.
 * `created_earlier`: the lookup found none, and Dataverse refused the create as a duplicate key:
 * an earlier attempt or run for this email created it (see `contact-id.ts`).
 */
export type SyncTarget = 'session_contact' | EmailTarget | 'invalid_email';
/** How the email chose the contact: one, the newest of several, none (created or skipped), or one an earlier attempt created. */
export type EmailTarget = 'email_match' | 'email_match_most_recent' | 'no_match' | 'created_earlier';
export type SyncReason = SyncTarget | `${'stale_link' | 'ignored_link'}_${Exclude<SyncTarget, 'session_contact'>}`;

export type SyncResult = {
  readonly outcome: 'updated' | 'created' | 'unchanged' | 'skipped';
  readonly reason: SyncReason;
  /** Contacts the email lookup returned (at most 2), when it ran. */
  readonly matches?: number;
  /** Columns written (names only), when a write was decided. */
  readonly written?: readonly string[];
  /**
   * Columns with a value in the registration that an existing contact kept: it held a value
   * (`fillEmpty`), or `sync.updateExisting` is `never`. Names only.
   */
  readonly kept?: readonly string[];
};

/**
 * Which of `data`'s columns go to an existing contact whose current values are `current` (read by
 * the lookup or by id; only `fillEmpty` needs them): `fillEmpty` writes a column only where the
 * contact's is empty (null, absent or blank), so a registrant never replaces what the CRM holds;
 * `overwrite` writes them all; `never` none.
 */
export function columnsToWrite(
  mode: UpdateExisting,
  data: ContactData,
  current: Readonly<Record<string, unknown>> = {},
): { write: ContactData; kept: string[] } {
  if (mode === 'overwrite') return { write: data, kept: [] };
  if (mode === 'never') return { write: {}, kept: Object.keys(data) };
  const write: Record<string, ColumnValue> = {};
  const kept: string[] = [];
  for (const [column, value] of Object.entries(data)) {
    if (isEmptyValue(current[column])) write[column] = value;
    else kept.push(column);
  }
  return { write, kept };
}

/**
 * The values of `sync.columns` (else `enrich` reversed) taken from the registration's attributes.
 * Empty or absent attributes are left out, so a blank form field never erases a CRM value; so are
 * values that are not scalars (an object or a list has no single column value). A text longer than
 * `policy.maxValueLength`, or one dynamics-web-api would misread when Dataverse sends it back, is
 * left out too, its column pushed to `skipped` for the log.
 */
export function columnValues(config: Config, attributes: Attributes, skipped: SkippedValue[] = []): ContactData {
  const data: Record<string, string | number | boolean> = {};
  for (const [column, path] of Object.entries(syncColumnsOf(config))) {
    const value = getPath(attributes, path);
    if (isEmptyValue(value)) continue;
    if (typeof value === 'string') {
      const text = value.trim();
      const problem = valueProblem(text, config.policy.maxValueLength);
      if (problem === undefined) data[column] = text;
      else skipped.push({ column, problem });
    } else if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) data[column] = value;
  }
  return data;
}

/** A new contact: the mapped values plus the email, in the first of `lookup.emailFields`. */
export function newContactData(config: Config, email: string, attributes: Attributes): ContactData {
  const [emailField = 'emailaddress1'] = config.lookup.emailFields;
  return { ...columnValues(config, attributes), [emailField]: email };
}
