/**
 * The post-account-deletion hook (Strivacity POST_ACCOUNT_DELETION, asynchronous): never silently
 * forget, never delete. With `deletion.action` `deactivate` (the default) the contact kept on the
 * account (`link.attribute`, trusted only when it holds the account's email), else the one contact
 * found by email, gets `statecode` 1 and `statuscode` 2 (Inactive), plus `deletion.setColumns`, in
 * one PATCH: the CRM stops treating the person as a customer and nothing is lost. `none` only logs.
 * It never sends a DELETE: erasure is the CRM's own process (docs/account-lifecycle.md).
 *
 * Several contacts with the email: none is deactivated (`multiple_matches`, at warn). Email alone
 * does not say which of them was this account (a shared family or company address, a duplicate an
 * administrator has not merged), and a deactivation of the wrong person's record is a silent harm
 * no later run repairs; the post-registration rule (the newest) is a guess that is cheap only when
 * it fills empty columns. The log line asks an administrator to decide.
 */
import { withoutEmail } from '../../account.js';
import { type Contact, type ContactData, findContactsByEmail, isContactId, readContactById, updateContact } from '../../dataverse.js';
import { type LinkUse, verifyLinkedContact } from '../../link.js';
import type { HookOptions, LoadedHook } from '../../loaded-hook.js';
import type { LogFields } from '../../log.js';
import { type Deadline, timeoutError } from '../../resilience/deadline.js';
import type { AttemptCounter } from '../../resilience/retry.js';
import { stampedColumns } from '../../stamp.js';
import { createWriterHook, type WriterHook, type WriterOutcome } from '../../writer-hook.js';
import { type AccountDeletion, parseAccountDeletion } from './input.js';

/** Dataverse's contact states: `statecode` 1 is Inactive, and `statuscode` 2 its default reason (Inactive). */
const INACTIVE = { statecode: 1, statuscode: 2 } as const;

/** Loads the hook once (config, token pre-fetch, clients); the returned function serves every deletion. */
export function createPostAccountDeletionHook(rawConfig: unknown, options: HookOptions = {}): WriterHook {
  return createWriterHook(
    { hook: 'post-account-deletion', event: 'account.deleted', parse: parseAccountDeletion, emailOf: (deletion) => deletion.email, run: deactivate },
    rawConfig,
    options,
  );
}

async function deactivate(hook: LoadedHook, deletion: AccountDeletion, deadline: Deadline, counter: AttemptCounter): Promise<WriterOutcome> {
  const { config } = hook;
  const action = config.deletion.action;
  if (deletion.email === undefined) return withAction(withoutEmail(deletion), action);
  if (action === 'none') return { fields: { outcome: 'logged', reason: 'action_none', action } };
  const email = deletion.email;
  // Computed once per run, so every retry sends the same PATCH (`$now` is when the hook was told).
  const data: ContactData = { ...stampedColumns(config.deletion.setColumns, Date.now()), ...INACTIVE };
  const linkedId = isContactId(deletion.linkedId) ? deletion.linkedId.toLowerCase() : undefined;
  let link: LinkUse | undefined = deletion.linkedId !== undefined && linkedId === undefined ? 'ignored_link' : undefined;
  if (deadline.signal.aborted) throw timeoutError('dataverse');

  const write = async (contact: Contact, reason: 'linked_contact' | 'email_match', token: string, signal: AbortSignal): Promise<LogFields> => {
    // Already inactive (a second run, or an administrator was first): nothing to do, nothing overwritten.
    if (contact['statecode'] === INACTIVE.statecode) return { outcome: 'unchanged', reason: 'already_inactive', columnsWritten: [] };
    await updateContact(hook.client, { contactId: contact.contactid, data, token, signal });
    return { outcome: 'deactivated', reason, columnsWritten: Object.keys(data) };
  };
  let level: WriterOutcome['level'];
  const fields = await hook.call(
    async (token, signal): Promise<LogFields> => {
      if (linkedId !== undefined) {
        const verdict = verifyLinkedContact(
          await readContactById(hook.client, config, { contactId: linkedId, token, signal }, 'state'),
          email,
          config.lookup.emailFields,
        );
        link = verdict.link;
        if (verdict.contact !== undefined) return write(verdict.contact, 'linked_contact', token, signal);
      }
      const contacts = await findContactsByEmail(hook.client, config, { email, token, signal }, 'state');
      const [only, ...others] = contacts;
      if (only === undefined) return { outcome: 'skipped', reason: 'no_match', matches: 0 };
      if (others.length > 0) {
        level = 'warn';
        return { outcome: 'skipped', reason: 'multiple_matches', matches: contacts.length };
      }
      return { ...(await write(only, 'email_match', token, signal)), matches: 1 };
    },
    deadline,
    counter,
  );
  return { fields: { ...fields, action, ...(link === undefined ? {} : { link }) }, ...(level === undefined ? {} : { level }) };
}

function withAction(outcome: WriterOutcome, action: 'deactivate' | 'none'): WriterOutcome {
  return { ...outcome, fields: { ...outcome.fields, action } };
}
