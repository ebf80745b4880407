/**
 * The registration gate every registration kind shares (pre-registration, pre-external-registration):
 * read the registration from the arguments, look the email up in Dataverse within one deadline,
 * decide by policy, answer Strivacity exactly once, log one line. A kind brings only its reader (where
 * the email is) and its name. It never throws and the promise it returns never rejects.
 */
import { answerOnce, type Answer } from './answer.js';
import { nowMs } from './clock.js';
import { type Config, DEFAULT_MESSAGES } from './config.js';
import { findContactsByEmail } from './dataverse.js';
import { decide, type Decision, type LookupOutcome } from './decide.js';
import { toHookError } from './errors.js';
import { parseRegistration, type Registration, type Session } from './input.js';
import { withoutLink } from './link.js';
import { type HookOptions, loadHook, type LoadedHook } from './loaded-hook.js';
import { emailHash, failureFields, type LogFields, logSkippedValues } from './log.js';
import { Deadline } from './resilience/deadline.js';
import { denyRequest, RegistrationData, showErrorMessage } from './results.js';

export type RegistrationGate = (args: unknown, callback: unknown, error: unknown) => Promise<void>;

/** The kinds that decide a registration (the `hook` field of their log lines). */
export type RegistrationKind = 'pre-registration' | 'pre-external-registration';

/** What a kind's reader found in the arguments. */
export interface ReadRegistration {
  readonly registration: Registration;
  /**
   * Set when the arguments hold no email where the kind assumes one: the key paths of the
   * arguments (never values), for the log. The lookup is then skipped and `policy.onError` decides.
   */
  readonly contractMismatch?: readonly string[];
}

export type RegistrationReader = (args: unknown, config: Config) => ReadRegistration;

const NOTHING_READ: Registration = { valid: false, attributes: {}, session: {}, locales: [] };

/** Loads the hook once (config, token pre-fetch, clients); the returned function serves every registration. */
export function createRegistrationGate(kind: RegistrationKind, read: RegistrationReader, rawConfig: unknown, options: HookOptions = {}): RegistrationGate {
  const loaded = loadHook(rawConfig, options);
  if (!loaded.ok) {
    // Without a valid config there is no policy to follow: fail closed with the generic message.
    return async (args, callback, error) => {
      answerOnce(callback, error, loaded.log).allow(showErrorMessage(DEFAULT_MESSAGES.unavailable, withoutLink(sessionOf(args))));
      loaded.log.error('registration.decided', { hook: kind, outcome: 'showError', reason: 'config_invalid', ...failureFields(loaded.error) });
    };
  }
  const { hook } = loaded;
  return async (args, callback, error) => {
    const startedAt = nowMs();
    const answer = answerOnce(callback, error, hook.log);
    let registration: Registration | undefined;
    try {
      const found = read(args, hook.config);
      registration = found.registration;
      const { lookup, attempts } =
        found.contractMismatch === undefined ? await lookUp(hook, registration) : { lookup: { kind: 'contract_mismatch' } as const, attempts: 0 };
      const decision = decide(hook.config, registration, lookup);
      deliver(decision, answer);
      if (decision.outcome === 'allow') logSkippedValues(hook.log, kind, decision.skipped);
      // A decision is `info`; a decision forced by a failure (or by arguments the hook cannot read)
      // is an outage to see at any logLevel.
      const level = lookup.kind === 'failed' || lookup.kind === 'contract_mismatch' ? 'error' : 'info';
      hook.log[level]('registration.decided', {
        hook: kind,
        outcome: decision.outcome,
        reason: decision.reason,
        latencyMs: Math.round(nowMs() - startedAt),
        attempts,
        ...(registration.valid ? { emailHash: emailHash(registration.email, hook.config.auth.tenantId) } : {}),
        ...(lookup.kind === 'contacts' ? { matches: lookup.contacts.length } : {}),
        ...(lookup.kind === 'failed' ? failureFields(lookup.error) : {}),
        ...(found.contractMismatch === undefined ? {} : { argumentKeys: found.contractMismatch }),
      } satisfies LogFields);
    } catch {
      // Unreachable by design (every step above classifies its failures); kept so that a bug can
      // never leave Strivacity without an answer.
      if (!answer.answered) {
        try {
          const failed: LookupOutcome = { kind: 'failed', error: toHookError(undefined, 'dataverse') };
          deliver(decide(hook.config, registration ?? NOTHING_READ, failed), answer);
        } catch {
          // Not even the policy could be applied: fail closed, with nothing from the payload.
          answer.allow(showErrorMessage(DEFAULT_MESSAGES.unavailable, {}));
        }
      }
      hook.log.error('registration.unexpected_failure', { hook: kind });
    }
  };
}

/**
 * The session, for an answer made without a config (so without the kind's email paths): read as the
 * registration is; a payload whose getters throw gets none.
 */
function sessionOf(args: unknown): Session {
  try {
    return parseRegistration(args).session;
  } catch {
    return {};
  }
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
