/**
 * The post-account-update hook (Strivacity POST_ACCOUNT_UPDATE, asynchronous): the CRM follows the
 * account. It writes `sync.columns` from the account's attributes to the contact kept on the
 * account (`link.attribute`, trusted only when the contact holds the account's email, as at
 * sign-in), else to the contact found by email, else creates one (`sync.createIfMissing`); under
 * the post-registration rules (`sync.updateExisting`, value caps, the batch-marker filter, the
 * derived `contactid`), within `policy.timeoutMs`. Arguments without an email or a link write
 * nothing (`contract_mismatch`). `callback()` once if it is a function; one `account.synced` line.
 */
import { withoutEmail } from '../../account.js';
import { updateExistingOf } from '../../config.js';
import { writeByEmail, writeExisting } from '../../contact-write.js';
import { isContactId, readContactById } from '../../dataverse.js';
import { type LinkUse, verifyLinkedContact } from '../../link.js';
import type { HookOptions, LoadedHook } from '../../loaded-hook.js';
import { type LogFields, logSkippedValues } from '../../log.js';
import { type Deadline, timeoutError } from '../../resilience/deadline.js';
import type { AttemptCounter } from '../../resilience/retry.js';
import { columnValues } from '../../sync.js';
import type { SkippedValue } from '../../values.js';
import { createWriterHook, type WriterHook, type WriterOutcome } from '../../writer-hook.js';
import { type AccountUpdate, parseAccountUpdate } from './input.js';

/** Loads the hook once (config, token pre-fetch, clients); the returned function serves every update. */
export function createPostAccountUpdateHook(rawConfig: unknown, options: HookOptions = {}): WriterHook {
  return createWriterHook(
    { hook: 'post-account-update', event: 'account.synced', parse: parseAccountUpdate, emailOf: (update) => update.email, run: followAccount },
    rawConfig,
    options,
  );
}

/** One update: the whole resolution and write is one attempt unit, retried by `hook.call` while the deadline allows. */
async function followAccount(hook: LoadedHook, update: AccountUpdate, deadline: Deadline, counter: AttemptCounter): Promise<WriterOutcome> {
  if (update.email === undefined) return withoutEmail(update);
  const email = update.email;
  const { config } = hook;
  const mode = updateExistingOf(config);
  const skipped: SkippedValue[] = [];
  const data = columnValues(config, update.attributes, skipped);
  logSkippedValues(hook.log, 'post-account-update', skipped);
  const hasData = Object.keys(data).length > 0;
  // Anything but a GUID never goes into a request path: such a link is ignored and the email decides.
  const linkedId = isContactId(update.linkedId) ? update.linkedId.toLowerCase() : undefined;
  let link: LinkUse | undefined = update.linkedId !== undefined && linkedId === undefined ? 'ignored_link' : undefined;
  // The deadline can pass while an earlier run for the same email holds the lock.
  if (deadline.signal.aborted) throw timeoutError('dataverse');

  const fields = await hook.call(
    async (token, signal): Promise<LogFields> => {
      const context = { hook, mode, data, token, signal };
      if (linkedId !== undefined) {
        // One read by id gives the verification columns and, for fillEmpty, the sync columns.
        const verdict = verifyLinkedContact(
          await readContactById(hook.client, config, { contactId: linkedId, token, signal }, 'sync'),
          email,
          config.lookup.emailFields,
        );
        link = verdict.link;
        if (verdict.contact !== undefined) {
          if (!hasData) return { outcome: 'unchanged', reason: 'linked_contact' };
          const result = await writeExisting(context, verdict.contact.contactid, verdict.contact);
          return { outcome: result.outcome, reason: 'linked_contact', columnsWritten: result.written, columnsKept: result.kept };
        }
      }
      const result = await writeByEmail(context, email, update.attributes);
      return {
        outcome: result.outcome,
        reason: result.target,
        matches: result.matches,
        ...(result.written === undefined ? {} : { columnsWritten: result.written }),
        ...(result.kept === undefined ? {} : { columnsKept: result.kept }),
      };
    },
    deadline,
    counter,
  );
  return { fields: { ...fields, ...(link === undefined ? {} : { link }) } };
}
