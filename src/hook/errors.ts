/**
 * The one error model of the hook. Every failure, whatever library raised it, is translated at the
 * boundary into a `HookError` with a closed `code`. Messages are fixed text: they never carry an
 * email, a token, a secret, a header value or a response body, so an error can always be logged.
 */

/** Failure classes; each one is decided by `policy.onError`. */
export type FailureCode =
  | 'timeout' // the hook's deadline passed (token, lookup, retries and backoff together)
  | 'throttled' // Entra or Dataverse answered 429 and the deadline left no room to wait
  | 'auth' // Entra refused the token request (AADSTS error), or Dataverse refused the token (401)
  | 'forbidden' // Dataverse 403: no Application User, or a missing privilege
  | 'not_found' // Dataverse 404: wrong API path, entity set or record
  | 'server' // 5xx from Entra or Dataverse
  | 'network' // connection refused, reset, DNS, TLS
  | 'bad_response' // a 2xx whose body is malformed, of the wrong shape, or one the client library cannot handle
  | 'config' // the config, a secret or a certificate is missing or invalid
  | 'internal'; // neither an answer nor a known network failure: a bug, or a library error (never retried)

/** Where the failure happened, for logs and for `doctor`. */
export type FailureStage = 'config' | 'token' | 'dataverse';

export interface HookErrorDetails {
  readonly stage: FailureStage;
  /** HTTP status, when a server answered. */
  readonly status?: number;
  /** Dataverse `error.code` (hex, e.g. `0x80072560`), when Dataverse sent one. */
  readonly dataverseCode?: string;
  /** Entra AADSTS number (e.g. 7000215), when Entra sent one. */
  readonly aadsts?: number;
  /** Server-requested wait before a retry (429 `Retry-After`), in milliseconds. */
  readonly retryAfterMs?: number;
  /**
   * A short diagnostic that is safe to log: the reason of a 401 from `WWW-Authenticate`, or the
   * config paths that are wrong. Never a value taken from the request or a record.
   */
  readonly diagnostic?: string;
  readonly cause?: unknown;
}

export class HookError extends Error {
  override readonly name = 'HookError';
  readonly code: FailureCode;
  readonly stage: FailureStage;
  readonly status: number | undefined;
  readonly dataverseCode: string | undefined;
  readonly aadsts: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly diagnostic: string | undefined;

  constructor(code: FailureCode, message: string, details: HookErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.stage = details.stage;
    this.status = details.status;
    this.dataverseCode = details.dataverseCode;
    this.aadsts = details.aadsts;
    this.retryAfterMs = details.retryAfterMs;
    this.diagnostic = details.diagnostic;
  }
}

/** True for the classes worth another attempt while the deadline allows. */
export function isTransient(error: HookError): boolean {
  return error.code === 'throttled' || error.code === 'server' || error.code === 'network';
}

export function configError(message: string, diagnostic?: string): HookError {
  return new HookError('config', message, diagnostic === undefined ? { stage: 'config' } : { stage: 'config', diagnostic });
}

/** `error` itself if it is already classified; anything else is a bug or an unknown library error. */
export function toHookError(error: unknown, stage: FailureStage): HookError {
  return error instanceof HookError ? error : new HookError('internal', 'The request failed unexpectedly.', { stage, cause: error });
}
