/**
 * Structured logs: one JSON line per event. The fields are a closed, typed set so that no call site
 * can hand a free-form string (an email, a token, a record, a library's error message) to the log.
 */
import type { AccountOutcome, AccountReason } from './account-reason.js';
import type { Decision, Reason } from './decide.js';
import type { LoginReason } from './kinds/post-identification/decide.js';
import type { LinkUse } from './link.js';
import type { FailureCode, FailureStage, HookError } from './errors.js';
import type { SyncReason, SyncResult } from './sync.js';
import type { SkippedValue, ValueProblem } from './values.js';
import { sha256Hex } from './sha256.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Every event the hooks log: a closed list, so a log line's name is never built from data. */
export type LogEvent =
  | 'registration.decided'
  | 'registration.synced'
  | 'registration.unexpected_failure'
  | 'registration.value_skipped'
  | 'login.decided'
  | 'login.unexpected_failure'
  | 'account.synced'
  | 'account.deleted'
  | 'hook.config_invalid'
  | 'hook.credential_unavailable'
  | 'hook.no_callback'
  | 'hook.callback_threw'
  | 'token.prefetch_failed'
  | 'token.renewal_failed';

export interface LogFields {
  readonly hook?:
    'pre-registration' | 'pre-external-registration' | 'post-registration' | 'post-identification' | 'post-account-update' | 'post-account-deletion';
  readonly outcome?: Decision['outcome'] | SyncResult['outcome'] | AccountOutcome | 'failed';
  readonly reason?: Reason | LoginReason | SyncReason | AccountReason | 'config_invalid' | 'sync_failed';
  readonly failure?: FailureCode;
  readonly stage?: FailureStage;
  readonly latencyMs?: number;
  readonly attempts?: number;
  readonly status?: number;
  readonly dataverseCode?: string;
  readonly aadsts?: number;
  /**
   * Fixed text of ours (config key paths, a missing variable's name, the Entra error code), or the
   * reason Dataverse gives for a 401 in `WWW-Authenticate`, which describes our token, not a person.
   */
  readonly diagnostic?: string;
  readonly emailHash?: string;
  readonly matches?: number;
  /**
   * `contract_mismatch`: the key paths of the arguments the runtime passed (`customer.attributes.name.givenName`),
   * from `keyPathsOf`: never a value, and a key that does not look like an identifier shows as `?`.
   */
  readonly argumentKeys?: readonly string[];
  /** Sign-in and account hooks: how `link.attribute` was used (`ignored_link`: the contact's emails are not this one). */
  readonly link?: LinkUse;
  /** Sign-in: this one joined a lookup already in flight for the same person (no request of its own). */
  readonly joined?: boolean;
  /** Post-registration: the columns written, and those an existing contact kept (config column names only, never values). */
  readonly columnsWritten?: readonly string[];
  readonly columnsKept?: readonly string[];
  /** A column named in the config (never read from a payload or a record), with why its value was left out. */
  readonly column?: string;
  readonly problem?: ValueProblem;
  /**
   * Account hooks, `contract_mismatch`: the key paths of the arguments they were given (keys only,
   * never a value; a key that does not look like an identifier is shown as `*`), so an
   * administrator can set `account.emailPaths` from the log.
   */
  readonly argumentPaths?: readonly string[];
  /** Account deletion: the configured `deletion.action`. */
  readonly action?: 'deactivate' | 'none';
}

export interface LogLine extends LogFields {
  readonly level: LogLevel;
  readonly event: LogEvent;
}

export type LogSink = (line: LogLine) => void;

export interface Logger {
  debug(event: LogEvent, fields?: LogFields): void;
  info(event: LogEvent, fields?: LogFields): void;
  warn(event: LogEvent, fields?: LogFields): void;
  error(event: LogEvent, fields?: LogFields): void;
}

/** Writes to the console, which Strivacity shows in Debug Logs and keeps in the event hook logs. */
export const consoleSink: LogSink = (line) => {
  const text = JSON.stringify(line);
  if (line.level === 'error' || line.level === 'warn') console.error(text);
  else console.log(text);
};

export function createLogger(minimum: LogLevel, sink: LogSink = consoleSink): Logger {
  const write =
    (level: LogLevel) =>
    (event: LogEvent, fields: LogFields = {}) => {
      if (RANK[level] < RANK[minimum]) return;
      try {
        sink({ level, event, ...fields });
      } catch {
        // A broken sink must never break a registration.
      }
    };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** One `warn` line per value left out: the column's name and why, never the value. */
export function logSkippedValues(log: Logger, hook: NonNullable<LogFields['hook']>, skipped: readonly SkippedValue[] = []): void {
  for (const { column, problem } of skipped) log.warn('registration.value_skipped', { hook, column, problem });
}

/** The parts of a HookError that are safe to log (its message is fixed text too, but not needed). */
export function failureFields(error: HookError): LogFields {
  return {
    failure: error.code,
    stage: error.stage,
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.dataverseCode === undefined ? {} : { dataverseCode: error.dataverseCode }),
    ...(error.aadsts === undefined ? {} : { aadsts: error.aadsts }),
    ...(error.diagnostic === undefined ? {} : { diagnostic: error.diagnostic }),
  };
}

/**
 * A short correlation id for an email: 12 hex characters of SHA-256 over the tenant id and the
 * lower-cased email (in NFC, the form `emailSchema` hands on, so both spellings of `ü` correlate).
 * Salting with the tenant keeps the hash from matching another deployment's
 * logs or a generic rainbow table; it is a correlation aid, not anonymisation.
 */
export function emailHash(email: string, salt: string): string {
  return sha256Hex(`${salt}:${email.normalize('NFC').toLowerCase()}`).slice(0, 12);
}
