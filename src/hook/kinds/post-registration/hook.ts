/**
 * The post-registration hook: keep Dataverse in step with the new account. It updates the contact
 * the pre-registration hook linked for this email (`session.dynamics`, see `link.ts`; a link bound
 * to another email, or to none, is ignored), else the contact found by email,
 * else creates one (`sync.createIfMissing`); all within one deadline, with the pre-registration
 * hook's token, client, retries and failure classes. Strivacity does not wait on the outcome, so
 * failures are logged (one line, no personal data) and swallowed: `callback()` is called exactly
 * once, with no argument, on every path (`writer-hook.ts`).
 */
import { updateExistingOf } from '../../config.js';
import { writeByEmail, writeExisting } from '../../contact-write.js';
import { HookError } from '../../errors.js';
import { parseRegistration, type Registration } from '../../input.js';
import { followLink } from '../../link.js';
import type { HookOptions, LoadedHook } from '../../loaded-hook.js';
import { type LogFields, logSkippedValues } from '../../log.js';
import { type Deadline, timeoutError } from '../../resilience/deadline.js';
import type { AttemptCounter } from '../../resilience/retry.js';
import { columnValues, type SyncReason, type SyncResult, type SyncTarget } from '../../sync.js';
import type { SkippedValue } from '../../values.js';
import { createWriterHook, type WriterHook, type WriterOutcome } from '../../writer-hook.js';

export type PostRegistrationHook = WriterHook;

/** Loads the hook once (config, token pre-fetch, clients); the returned function serves every registration. */
export function createPostRegistrationHook(rawConfig: unknown, options: HookOptions = {}): PostRegistrationHook {
  return createWriterHook(
    {
      hook: 'post-registration',
      event: 'registration.synced',
      parse: (args) => parseRegistration(args),
      emailOf: (registration) => (registration.valid ? registration.email : undefined),
      run: async (hook, registration, deadline, counter) => logged(await synchronise(hook, registration, deadline, counter)),
    },
    rawConfig,
    options,
  );
}

function logged(result: SyncResult): WriterOutcome {
  const fields: LogFields = {
    outcome: result.outcome,
    reason: result.reason,
    ...(result.matches === undefined ? {} : { matches: result.matches }),
    ...(result.written === undefined ? {} : { columnsWritten: result.written }),
    ...(result.kept === undefined ? {} : { columnsKept: result.kept }),
  };
  return { fields };
}

/**
 * One attempt unit, retried as a whole by `hook.call` while the deadline allows. Because the
 * email lookup is part of the unit, a create whose outcome is unknown (a reset or a 5xx after
 * Dataverse may have committed it) is followed by a fresh lookup; and because every create for one
 * email sends the same `contactid`, one that the lookup cannot see yet is refused as a duplicate
 * key (`created_earlier`), never saved twice.
 */
async function synchronise(hook: LoadedHook, registration: Registration, deadline: Deadline, counter: AttemptCounter): Promise<SyncResult> {
  const { config } = hook;
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
      const context = { hook, mode, data, token, signal };
      if (linked !== undefined && !stale) {
        try {
          // A linked contact's PATCH used to be blind: `fillEmpty` now reads its columns first.
          return { reason: 'session_contact', ...(await writeExisting(context, linked)) };
        } catch (error) {
          // 404: the linked contact was deleted or merged since pre-registration; the email decides.
          if (!(error instanceof HookError && error.code === 'not_found')) throw error;
          stale = true;
        }
      }
      const { target, ...result } = await writeByEmail(context, email, registration.attributes);
      return { ...result, reason: reason(target) };
    },
    deadline,
    counter,
  );
}
