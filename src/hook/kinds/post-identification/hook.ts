/**
 * The sign-in gate (Strivacity POST_IDENTIFICATION, blocking): after the person gave their
 * identifier and before any factor, check that an active, entitled contact stands behind it. The
 * contact is read by the id kept on the account (`link.attribute`), trusted only when one of its
 * email fields holds the email signing in, else looked up by email; within `login.timeoutMs`,
 * with the shared token, client, retries, concurrency cap and 429 hold. Exactly one answer, one log
 * line; it never throws and the promise it returns never rejects.
 */
import { answerOnce } from '../../answer.js';
import { DEFAULT_MESSAGES } from '../../config.js';
import { type Contact, findContactsByEmail, isContactId, readContactById } from '../../dataverse.js';
import { toHookError } from '../../errors.js';
import { verifyLinkedContact } from '../../link.js';
import { emailHash, failureFields, type LogFields } from '../../log.js';
import { type HookOptions, loadHook, type LoadedHook } from '../../loaded-hook.js';
import { Deadline } from '../../resilience/deadline.js';
import type { AttemptCounter } from '../../resilience/retry.js';
import { SingleFlight } from '../../resilience/single-flight.js';
import { showErrorMessage } from '../../results.js';
import { deliverLogin } from './answer.js';
import { decideLogin, type LinkUse, type LoginLookup } from './decide.js';
import { type Identification, parseIdentification } from './input.js';

export type PostIdentificationHook = (args: unknown, callback: unknown, error: unknown) => Promise<void>;

interface LookupRun {
  readonly lookup: LoginLookup;
  readonly attempts: number;
}

/** Loads the hook once; the returned function serves every sign-in. */
export function createPostIdentificationHook(rawConfig: unknown, options: HookOptions = {}): PostIdentificationHook {
  const loaded = loadHook(rawConfig, options);
  if (!loaded.ok) {
    // Without a valid config there is no policy to follow, not even login.onError: fail closed, as
    // the registration does, rather than open a gate the administrator may have set to deny.
    return async (_args, callback, error) => {
      answerOnce(callback, error, loaded.log).allow(showErrorMessage(DEFAULT_MESSAGES.loginUnavailable, {}));
      loaded.log.error('login.decided', { hook: 'post-identification', outcome: 'showError', reason: 'config_invalid', ...failureFields(loaded.error) });
    };
  }
  const { hook } = loaded;
  // A double click, a second tab or a retried request of one person share one lookup.
  const flights = new SingleFlight<LookupRun>();
  return async (args, callback, error) => {
    const startedAt = performance.now();
    const answer = answerOnce(callback, error, hook.log);
    try {
      const signIn = parseIdentification(args, hook.config);
      const key = signIn.email === undefined ? undefined : `${signIn.email.toLowerCase()}\n${String(signIn.linkedId ?? '')}`;
      const flight =
        key === undefined
          ? { result: Promise.resolve({ lookup: { kind: 'no_email' }, attempts: 0 } as LookupRun), joined: false }
          : flights.run(key, () => lookUp(hook, signIn));
      const { lookup, attempts } = await flight.result;
      const decision = decideLogin(hook.config, signIn, lookup);
      deliverLogin(decision, answer);
      const level = lookup.kind === 'contacts' ? 'info' : 'error';
      hook.log[level]('login.decided', {
        hook: 'post-identification',
        outcome: decision.outcome,
        reason: decision.reason,
        latencyMs: Math.round(performance.now() - startedAt),
        attempts: flight.joined ? 0 : attempts,
        ...(flight.joined ? { joined: true } : {}),
        ...(signIn.email === undefined ? {} : { emailHash: emailHash(signIn.email, hook.config.auth.tenantId) }),
        ...(lookup.kind === 'contacts' ? { matches: lookup.contacts.length } : {}),
        ...(lookup.kind !== 'no_email' && lookup.link !== undefined ? { link: lookup.link } : {}),
        ...(lookup.kind === 'failed' ? failureFields(lookup.error) : {}),
      } satisfies LogFields);
    } catch {
      // Unreachable by design; kept so that a bug can never leave Strivacity without an answer.
      // The failure policy still applies: at sign-in a bug must not lock everyone out either.
      if (!answer.answered) {
        try {
          deliverLogin(decideLogin(hook.config, { session: {}, locales: [] }, { kind: 'no_email' }), answer);
        } catch {
          answer.allow(showErrorMessage(DEFAULT_MESSAGES.loginUnavailable, {}));
        }
      }
      hook.log.error('login.unexpected_failure', { hook: 'post-identification' });
    }
  };
}

/** The contact by the link when it is trusted, else by email; one deadline for both. */
async function lookUp(hook: LoadedHook, signIn: Identification): Promise<LookupRun> {
  const email = signIn.email as string;
  const deadline = new Deadline(hook.config.login.timeoutMs);
  const counter: AttemptCounter = { attempts: 0 };
  let link: LinkUse | undefined;
  try {
    if (signIn.linkedId !== undefined) {
      const byId = await readLinked(hook, signIn.linkedId, email, deadline, counter);
      link = byId.link;
      if (byId.link === 'link_not_found') return { lookup: { kind: 'contacts', contacts: [], link }, attempts: counter.attempts };
      if (byId.contact !== undefined) {
        const inactive = hook.config.lookup.activeOnly && byId.contact['statecode'] !== 0;
        return { lookup: { kind: 'contacts', contacts: inactive ? [] : [byId.contact], inactive, link }, attempts: counter.attempts };
      }
    }
    const contacts = await hook.call((token, signal) => findContactsByEmail(hook.client, hook.config, { email, token, signal }), deadline, counter);
    return { lookup: { kind: 'contacts', contacts, ...(link === undefined ? {} : { link }) }, attempts: counter.attempts };
  } catch (error) {
    return { lookup: { kind: 'failed', error: toHookError(error, 'dataverse'), ...(link === undefined ? {} : { link }) }, attempts: counter.attempts };
  } finally {
    deadline.dispose();
  }
}

/** Reads the linked contact; `verifyLinkedContact` decides whether the id is trusted. */
async function readLinked(
  hook: LoadedHook,
  linkedId: unknown,
  email: string,
  deadline: Deadline,
  counter: AttemptCounter,
): Promise<{ link: LinkUse; contact?: Contact }> {
  // Anything but a GUID never goes into a request path.
  if (!isContactId(linkedId)) return { link: 'ignored_link' };
  const contact = await hook.call((token, signal) => readContactById(hook.client, hook.config, { contactId: linkedId, token, signal }), deadline, counter);
  return verifyLinkedContact(contact, email, hook.config.lookup.emailFields);
}
