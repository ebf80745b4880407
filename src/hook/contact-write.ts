/**
 * Writing one account's values to its contact under the `sync` rules, shared by the
 * post-registration and post-account-update hooks: an existing contact gets what
 * `sync.updateExisting` allows, and a missing one is created (`sync.createIfMissing`) with the
 * `contactid` derived from the email, so that a retried create is refused as a duplicate key, never
 * saved twice. Each function runs inside one `hook.call` unit and throws a classified HookError.
 */
import type { UpdateExisting } from './config.js';
import { contactIdFor } from './contact-id.js';
import { type ContactData, createContact, findContactsByEmail, readContact, updateContact } from './dataverse.js';
import { mostRecent } from './decide.js';
import type { Attributes } from './input.js';
import type { LoadedHook } from './loaded-hook.js';
import { columnsToWrite, type EmailTarget, newContactData, type SyncResult } from './sync.js';

/** What one attempt writes with: the loaded hook, the rule for existing contacts, the values, and the attempt's token and signal. */
export interface WriteContext {
  readonly hook: LoadedHook;
  readonly mode: UpdateExisting;
  /** The mapped values (`columnValues`); empty when the account has none. */
  readonly data: ContactData;
  readonly token: string;
  readonly signal: AbortSignal;
}

export interface Written {
  readonly outcome: 'updated' | 'unchanged';
  readonly written: readonly string[];
  readonly kept: readonly string[];
}

/**
 * An existing contact gets what `sync.updateExisting` allows. `fillEmpty` needs its current
 * values: `current` when a read already selected them, else one `GET contacts(<id>)` (the cheapest
 * exact read); a contact whose columns are all filled then costs no write.
 */
export async function writeExisting(context: WriteContext, contactId: string, current?: Readonly<Record<string, unknown>>): Promise<Written> {
  const { hook, mode, data, token, signal } = context;
  const values = mode === 'fillEmpty' ? (current ?? (await readContact(hook.client, { contactId, columns: Object.keys(data), token, signal }))) : undefined;
  const { write, kept } = columnsToWrite(mode, data, values);
  const written = Object.keys(write);
  if (written.length === 0) return { outcome: 'unchanged', written, kept };
  await updateContact(hook.client, { contactId, data: write, token, signal });
  return { outcome: 'updated', written, kept };
}

export interface ByEmailResult {
  readonly outcome: SyncResult['outcome'];
  readonly target: EmailTarget;
  /** Contacts the lookup returned (at most 2). */
  readonly matches: number;
  readonly written?: readonly string[];
  readonly kept?: readonly string[];
}

/**
 * The contact found by `email` (the newest of several) gets `context.data` as `sync.updateExisting`
 * allows; with none, one is created unless `sync.createIfMissing` is `false`. The lookup is part of
 * the attempt, so a create whose outcome was unknown is followed by a fresh lookup on retry.
 */
export async function writeByEmail(context: WriteContext, email: string, attributes: Attributes): Promise<ByEmailResult> {
  const { hook, data, token, signal } = context;
  const { client, config } = hook;
  const hasData = Object.keys(data).length > 0;
  const contacts = await findContactsByEmail(client, config, { email, token, signal }, 'sync');
  const matches = contacts.length;
  if (matches > 0) {
    const target = mostRecent(contacts);
    const how = matches > 1 ? 'email_match_most_recent' : 'email_match';
    if (!hasData) return { outcome: 'unchanged', target: how, matches };
    return { target: how, matches, ...(await writeExisting(context, target.contactid, target)) };
  }
  if (config.sync?.createIfMissing === false) return { outcome: 'skipped', target: 'no_match', matches };
  const created = newContactData(config, email, attributes);
  const result = await createContact(client, { contactId: contactIdFor(config.dataverse.url, email), data: created, token, signal });
  if (result.outcome === 'created') return { outcome: 'created', target: 'no_match', matches, written: Object.keys(created) };
  // Saved by an earlier attempt whose answer was lost, or by a run the lock let go at its
  // deadline: an existing contact from here on, treated as `sync.updateExisting` says.
  if (!hasData) return { outcome: 'unchanged', target: 'created_earlier', matches };
  return { target: 'created_earlier', matches, ...(await writeExisting(context, result.contactId)) };
}
