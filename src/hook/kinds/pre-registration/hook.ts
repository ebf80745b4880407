/**
 * The pre-registration hook: validate the registration, look the email up in Dataverse within one
 * deadline, decide by policy, answer Strivacity exactly once, log one line. It never throws and the
 * promise it returns never rejects.
 */
import { answerOnce, type Answer } from '../../answer.js';
import { nowMs } from '../../clock.js';
import { DEFAULT_MESSAGES } from '../../config.js';
import { findContactsByEmail } from '../../dataverse.js';
import { Deadline } from '../../resilience/deadline.js';
import { decide, type Decision, type LookupOutcome } from '../../decide.js';
import { toHookError } from '../../errors.js';
import { type HookArguments, parseRegistration, type Registration, type Session } from '../../input.js';
import { withoutLink } from '../../link.js';
import { emailHash, failureFields, type LogFields, logSkippedValues } from '../../log.js';
import { denyRequest, RegistrationData, showErrorMessage } from '../../results.js';
import { type HookOptions, loadHook, type LoadedHook } from '../../loaded-hook.js';

export type PreRegistrationHook = (args: HookArguments, callback: unknown, error: unknown) => Promise<void>;

/** Loads the hook once (config, token pre-fetch, clients); the returned function serves every registration. */
export function createPreRegistrationHook(rawConfig: unknown, options: HookOptions = {}): PreRegistrationHook {
  const loaded = loadHook(rawConfig, options);
  if (!loaded.ok) {
    // Without a valid config there is no policy to follow: fail closed with the generic message.
    return async (args, callback, error) => {
      let session: Session = {};
      try {
        session = parseRegistration(args).session;
      } catch {
        // A payload whose getters throw still gets its answer, without its session.
      }
      answerOnce(callback, error, loaded.log).allow(showErrorMessage(DEFAULT_MESSAGES.unavailable, withoutLink(session)));
      loaded.log.error('registration.decided', { hook: 'pre-registration', outcome: 'showError', reason: 'config_invalid', ...failureFields(loaded.error) });
    };
  }
  const { hook } = loaded;
  return async (args, callback, error) => {
    const startedAt = nowMs();
    const answer = answerOnce(callback, error, hook.log);
    let registration: Registration | undefined;
    try {
      registration = parseRegistration(args);
      const { lookup, attempts } = await lookUp(hook, registration);
      const decision = decide(hook.config, registration, lookup);
      deliver(decision, answer);
      if (decision.outcome === 'allow') logSkippedValues(hook.log, 'pre-registration', decision.skipped);
      // A decision is `info`; a decision forced by a failure is an outage to see at any logLevel.
      const level = lookup.kind === 'failed' ? 'error' : 'info';
      hook.log[level]('registration.decided', {
        hook: 'pre-registration',
        outcome: decision.outcome,
        reason: decision.reason,
        latencyMs: Math.round(nowMs() - startedAt),
        attempts,
        ...(registration.valid ? { emailHash: emailHash(registration.email, hook.config.auth.tenantId) } : {}),
        ...(lookup.kind === 'contacts' ? { matches: lookup.contacts.length } : {}),
        ...(lookup.kind === 'failed' ? failureFields(lookup.error) : {}),
      } satisfies LogFields);
    } catch {
      // Unreachable by design (every step above classifies its failures); kept so that a bug can
      // never leave Strivacity without an answer.
      if (!answer.answered) {
        try {
          const failed: LookupOutcome = { kind: 'failed', error: toHookError(undefined, 'dataverse') };
          deliver(decide(hook.config, registration ?? parseRegistration(undefined), failed), answer);
        } catch {
          // Not even the policy could be applied: fail closed, with nothing from the payload.
          answer.allow(showErrorMessage(DEFAULT_MESSAGES.unavailable, {}));
        }
      }
      hook.log.error('registration.unexpected_failure', { hook: 'pre-registration' });
    }
  };
}

async function lookUp(hook: LoadedHook, registration: Registration): Promise<{ lookup: LookupOutcome; attempts: number }> {
  if (!registration.valid) return { lookup: { kind: 'skipped' }, attempts: 0 };
  const deadline = new Deadline(hook.config.policy.timeoutMs);
  const counter = { attempts: 0 };
  try {
    const contacts = await hook.call(
      (token, signal) => findContactsByEmail(hook.client, hook.config, { email: registration.email, token, signal }),
      deadline,
      counter,
    );
    return { lookup: { kind: 'contacts', contacts }, attempts: counter.attempts };
  } catch (error) {
    return { lookup: { kind: 'failed', error: toHookError(error, 'dataverse') }, attempts: counter.attempts };
  } finally {
    deadline.dispose();
  }
}

function deliver(decision: Decision, answer: Answer): void {
  if (decision.outcome === 'allow') {
    answer.allow(new RegistrationData(decision.attributes, [], decision.session));
  } else if (decision.outcome === 'showError') {
    answer.allow(showErrorMessage(decision.message, decision.session));
  } else {
    answer.deny(denyRequest(decision.message), () => showErrorMessage(decision.message, decision.session));
  }
}
