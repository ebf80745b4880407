/**
 * The post-registration hook: keep Dataverse in step with the new account. It updates the contact
 * the pre-registration hook linked for this email (`session.dynamics`, see `link.ts`; a link bound
 * to another email, or to none, is ignored), else the contact found by email,
 * else creates one (`sync.createIfMissing`); all within one deadline, with the pre-registration
 * hook's token, client, retries and failure classes. Strivacity does not wait on the outcome, so
 * failures are logged (one line, no personal data) and swallowed: `callback()` is called exactly
 * once, with no argument, on every path. It never throws and the promise it returns never rejects.
 */
import { callRuntime } from '../../answer.js';
import { nowMs } from '../../clock.js';
import { Deadline, timeoutError } from '../../resilience/deadline.js';
import { type ContactData, createContact, findContactsByEmail, readContact, updateContact } from '../../dataverse.js';
import { contactIdFor } from '../../contact-id.js';
import { updateExistingOf } from '../../config.js';
import { mostRecent } from '../../decide.js';
import { HookError, toHookError } from '../../errors.js';
import { type HookArguments, parseRegistration, type Registration } from '../../input.js';
import { KeyedLock } from '../../resilience/keyed-lock.js';
import { followLink } from '../../link.js';
import { emailHash, failureFields, type LogFields, type Logger, logSkippedValues } from '../../log.js';
import type { AttemptCounter } from '../../resilience/retry.js';
import { type HookOptions, loadHook, type LoadedHook } from '../../loaded-hook.js';
import { columnsToWrite, columnValues, newContactData, type SyncReason, type SyncResult, type SyncTarget } from '../../sync.js';
import type { SkippedValue } from '../../values.js';

export type PostRegistrationHook = (args: HookArguments, callback?: unknown) => Promise<void>;

/** Loads the hook once (config, token pre-fetch, clients); the returned function serves every registration. */
export function createPostRegistrationHook(rawConfig: unknown, options: HookOptions = {}): PostRegistrationHook {
  const loaded = loadHook(rawConfig, options);
  if (!loaded.ok) {
    return async (_args, callback) => {
      loaded.log.error('registration.synced', { hook: 'post-registration', outcome: 'failed', reason: 'config_invalid', ...failureFields(loaded.error) });
      complete(callback, loaded.log);
    };
  }
  const { hook } = loaded;
  // Runs for the same email take turns, so an overlapping retry of one
  // registration finds the contact the first run created instead of creating a second one.
  const lock = new KeyedLock();
  return async (args, callback) => {
    const startedAt = nowMs();
    const counter = { attempts: 0 };
    // Inside the `try`: a Deadline needs the host's timers and AbortController, which a runtime may lack.
    let deadline: Deadline | undefined;
    let registration: Registration | undefined;
    let fields: LogFields;
    try {
      const runDeadline = new Deadline(hook.config.policy.timeoutMs);
      deadline = runDeadline;
      registration = parseRegistration(args);
      // Without a valid email no link can be bound to it, so such a run returns before any request.
      const key = registration.valid ? `email:${registration.email.toLowerCase()}` : 'invalid';
      const current = registration;
      // No race around the lock: a run queued behind another for the same key waits at most until
      // that run's deadline, which ends before its own (it started earlier); once running, every
      // wait is bounded by `hook.call`, which also names the stage a deadline caught.
      const result = await lock.run(key, () => synchronise(hook, current, runDeadline, counter));
      fields = {
        outcome: result.outcome,
        reason: result.reason,
        ...(result.matches === undefined ? {} : { matches: result.matches }),
        ...(result.written === undefined ? {} : { columnsWritten: result.written }),
        ...(result.kept === undefined ? {} : { columnsKept: result.kept }),
      };
    } catch (error) {
      fields = { outcome: 'failed', reason: 'sync_failed', ...failureFields(toHookError(error, 'dataverse')) };
    } finally {
      try {
        deadline?.dispose();
      } catch {
        // No `clearTimeout` in this runtime: the timer is unref'd and only aborts a finished signal.
      }
    }
    complete(callback, hook.log);
    const line: LogFields = {
      hook: 'post-registration',
      ...fields,
      latencyMs: Math.round(nowMs() - startedAt),
      attempts: counter.attempts,
      ...(registration?.valid === true ? { emailHash: emailHash(registration.email, hook.config.auth.tenantId) } : {}),
    };
    if (fields.outcome === 'failed') hook.log.error('registration.synced', line);
    else hook.log.info('registration.synced', line);
  };
}

/**
 * One attempt unit, retried as a whole by `hook.call` while the deadline allows. Because the
 * email lookup is part of the unit, a create whose outcome is unknown (a reset or a 5xx after
 * Dataverse may have committed it) is followed by a fresh lookup; and because every create for one
 * email sends the same `contactid`, one that the lookup cannot see yet is refused as a duplicate
 * key (`created_earlier`), never saved twice.
 */
async function synchronise(hook: LoadedHook, registration: Registration, deadline: Deadline, counter: AttemptCounter): Promise<SyncResult> {
  const { client, config } = hook;
  const mode = updateExistingOf(config);
  const skipped: SkippedValue[] = [];
  const data = columnValues(config, registration.attributes, skipped);
  logSkippedValues(hook.log, 'post-registration', skipped);
  const hasData = Object.keys(data).length > 0;
  const link = followLink(registration.session, config.auth.tenantId, registration.valid ? registration.email : undefined);
  const linked = link.state === 'bound' ? link.contactId : undefined;
  let stale = false;
  const reason = (target: Exclude<SyncTarget, 'session_contact'>): SyncReason =>
    link.state === 'ignored' ? `ignored_link_${target}` : stale ? `stale_link_${target}` : target;

  // `followLink` binds a link only to a valid email, so an invalid one never has a linked contact.
  if (!registration.valid) return { outcome: 'skipped', reason: reason('invalid_email') };
  const { email } = registration;
  if (linked !== undefined && !hasData) return { outcome: 'unchanged', reason: 'session_contact' };
  if (linked !== undefined && mode === 'never') return { outcome: 'unchanged', reason: 'session_contact', written: [], kept: Object.keys(data) };
  // The deadline can pass while an earlier run for the same email holds the lock.
  if (deadline.signal.aborted) throw timeoutError('dataverse');

  return hook.call(
    async (token, signal) => {
      /**
       * An existing contact gets what `sync.updateExisting` allows. `fillEmpty` needs its current
       * values: the lookup's when it found the contact, else one `GET contacts(<id>)` (a linked
       * contact, whose PATCH used to be blind, or one an earlier attempt created). A read by id is
       * the cheapest exact read: the email lookup returns at most two contacts, which need not
       * include the linked one; and a contact whose columns are all filled then costs no write.
       */
      const writeExisting = async (contactId: string, why: SyncReason, current?: Readonly<Record<string, unknown>>, matches?: number): Promise<SyncResult> => {
        const counted = matches === undefined ? {} : { matches };
        const values = mode === 'fillEmpty' ? (current ?? (await readContact(client, { contactId, columns: Object.keys(data), token, signal }))) : undefined;
        const { write, kept } = columnsToWrite(mode, data, values);
        const written = Object.keys(write);
        if (written.length === 0) return { outcome: 'unchanged', reason: why, ...counted, written, kept };
        await updateContact(client, { contactId, data: write, token, signal });
        return { outcome: 'updated', reason: why, ...counted, written, kept };
      };

      if (linked !== undefined && !stale) {
        try {
          return await writeExisting(linked, 'session_contact');
        } catch (error) {
          // 404: the linked contact was deleted or merged since pre-registration; the email decides.
          if (!(error instanceof HookError && error.code === 'not_found')) throw error;
          stale = true;
        }
      }
      const contacts = await findContactsByEmail(client, config, { email, token, signal }, 'sync');
      const matches = contacts.length;
      if (matches > 0) {
        const target = mostRecent(contacts);
        const how = matches > 1 ? 'email_match_most_recent' : 'email_match';
        if (!hasData) return { outcome: 'unchanged', reason: reason(how), matches };
        return writeExisting(target.contactid, reason(how), target, matches);
      }
      if (config.sync?.createIfMissing === false) return { outcome: 'skipped', reason: reason('no_match'), matches };
      const created: ContactData = newContactData(config, email, registration.attributes);
      const result = await createContact(client, { contactId: contactIdFor(config.dataverse.url, email), data: created, token, signal });
      if (result.outcome === 'created') return { outcome: 'created', reason: reason('no_match'), matches, written: Object.keys(created) };
      // Saved by an earlier attempt whose answer was lost, or by a run the lock let go at its
      // deadline: an existing contact from here on, treated as `sync.updateExisting` says.
      if (!hasData) return { outcome: 'unchanged', reason: reason('created_earlier'), matches };
      return writeExisting(result.contactId, reason('created_earlier'), undefined, matches);
    },
    deadline,
    counter,
  );
}

/**
 * `callback()` with no argument; a missing callback is fine (the hook is non-blocking). Each path of
 * the hook calls this exactly once, after its work and before its log line.
 */
function complete(callback: unknown, log: Logger): void {
  if (typeof callback === 'function') callRuntime(callback as () => unknown, [], log, { hook: 'post-registration' });
}
