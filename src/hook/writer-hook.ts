/**
 * The shape every hook that writes to Dataverse and decides nothing shares (post-registration,
 * post-account-update, post-account-deletion): Strivacity does not wait on the outcome, so within
 * one deadline the kind does its work, failures are logged (one line, no personal data) and
 * swallowed, and `callback()` is called exactly once, with no argument, when the runtime passed a
 * function (an asynchronous type may pass none). It never throws and its promise never rejects.
 */
import { callRuntime } from './answer.js';
import { nowMs } from './clock.js';
import type { ResolvedConfig } from './config.js';
import { toHookError } from './errors.js';
import { type HookOptions, loadHook, type LoadedHook } from './loaded-hook.js';
import { emailHash, failureFields, type LogEvent, type LogFields, type Logger } from './log.js';
import { Deadline } from './resilience/deadline.js';
import { KeyedLock } from './resilience/keyed-lock.js';
import type { AttemptCounter } from './resilience/retry.js';

export type WriterHookName = 'post-registration' | 'post-account-update' | 'post-account-deletion';

/** What one run logs: the fields of its line, and at which level (`error` for `failed`, else `info`, unless set). */
export interface WriterOutcome {
  readonly fields: LogFields;
  readonly level?: 'info' | 'warn' | 'error';
}

/** One kind of writing hook: its name and log event, how it reads its arguments, and its work. */
export interface WriterKind<Input> {
  readonly hook: WriterHookName;
  readonly event: LogEvent;
  /** Reads the arguments; must not throw on any shape (a throw is logged as `sync_failed`). */
  parse(args: unknown, config: ResolvedConfig): Input;
  /** The email the input names, if any: it keys the lock and the log's hash. */
  emailOf(input: Input): string | undefined;
  run(hook: LoadedHook, input: Input, deadline: Deadline, counter: AttemptCounter): Promise<WriterOutcome>;
}

export type WriterHook = (args: unknown, callback?: unknown) => Promise<void>;

/** Loads the hook once (config, token pre-fetch, clients); the returned function serves every event. */
export function createWriterHook<Input>(kind: WriterKind<Input>, rawConfig: unknown, options: HookOptions = {}): WriterHook {
  const loaded = loadHook(rawConfig, options);
  if (!loaded.ok) {
    return async (_args, callback) => {
      loaded.log.error(kind.event, { hook: kind.hook, outcome: 'failed', reason: 'config_invalid', ...failureFields(loaded.error) });
      complete(callback, loaded.log, kind.hook);
    };
  }
  const { hook } = loaded;
  // Runs for the same email take turns, so an overlapping retry of one event finds the contact
  // the first run created (or deactivated) instead of acting a second time.
  const lock = new KeyedLock();
  return async (args, callback) => {
    const startedAt = nowMs();
    const counter = { attempts: 0 };
    // Inside the `try`: a Deadline needs the host's timers and AbortController, which a runtime may lack.
    let deadline: Deadline | undefined;
    let email: string | undefined;
    let outcome: WriterOutcome;
    try {
      const runDeadline = new Deadline(hook.config.policy.timeoutMs);
      deadline = runDeadline;
      const input = kind.parse(args, hook.config);
      email = kind.emailOf(input);
      // Without an email nothing is written, so such a run returns before any request.
      const key = email === undefined ? 'no-email' : `email:${email.toLowerCase()}`;
      // No race around the lock: a run queued behind another for the same key waits at most until
      // that run's deadline, which ends before its own (it started earlier); once running, every
      // wait is bounded by `hook.call`, which also names the stage a deadline caught.
      outcome = await lock.run(key, () => kind.run(hook, input, runDeadline, counter));
    } catch (error) {
      outcome = { fields: { outcome: 'failed', reason: 'sync_failed', ...failureFields(toHookError(error, 'dataverse')) } };
    } finally {
      try {
        deadline?.dispose();
      } catch {
        // No `clearTimeout` in this runtime: the timer is unref'd and only aborts a finished signal.
      }
    }
    complete(callback, hook.log, kind.hook);
    const line: LogFields = {
      hook: kind.hook,
      ...outcome.fields,
      latencyMs: Math.round(nowMs() - startedAt),
      attempts: counter.attempts,
      ...(email === undefined ? {} : { emailHash: emailHash(email, hook.config.auth.tenantId) }),
    };
    hook.log[outcome.level ?? (outcome.fields.outcome === 'failed' ? 'error' : 'info')](kind.event, line);
  };
}

/**
 * `callback()` with no argument; a missing callback is fine (the hook is non-blocking). Each path
 * calls this exactly once, after its work and before its log line.
 */
function complete(callback: unknown, log: Logger, hook: WriterHookName): void {
  if (typeof callback === 'function') callRuntime(callback as () => unknown, [], log, { hook });
}
