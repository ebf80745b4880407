/**
 * App-only tokens for Dataverse from Microsoft Entra ID (client credentials, msal-node).
 *
 * One `ConfidentialClientApplication` per loaded hook, so its cache serves every registration. On
 * top of it: a single flight (concurrent cold registrations share one token request, and a failure
 * reaches every waiter once instead of being retried by each), a pre-fetch when the hook loads, and
 * a background renewal before expiry, so that in steady state no registration waits for a token.
 */
import { ConfidentialClientApplication, LogLevel, type INetworkModule, type NetworkRequestOptions, type NetworkResponse } from '@azure/msal-node';
import { raceSignal } from './resilience/deadline.js';
import { HookError } from './errors.js';
import { failureFields, type Logger } from './log.js';

export type Credential = { readonly clientSecret: string } | { readonly clientCertificate: { readonly thumbprintSha256: string; readonly privateKey: string } };

/**
 * Exactly what a token request needs, so that callers with another resource or limit (the command
 * line's discovery and probes) say so instead of forging a config.
 */
export interface TokenSourceOptions {
  /** The app registration (client) ID. */
  readonly clientId: string;
  /** `https://<Entra host of the cloud>/<tenant ID>`. */
  readonly authority: string;
  /** The resource the token is for (a Dataverse environment URL); the scope is `<resource>/.default`. */
  readonly resource: string;
  readonly credential: Credential;
  /** Limit for one token POST, including its body. */
  readonly requestTimeoutMs: number;
  readonly log: Logger;
  /** The transport for the token POST; global `fetch` by default. */
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

/** A cached token is handed out without asking MSAL while it has at least this much life left. */
const MIN_REMAINING_MS = 60_000;
/** Renew this long before expiry (or at half-life for short-lived tokens). */
const RENEW_BEFORE_MS = 10 * 60_000;
/** After a failed background renewal, try again this much later (while the old token lasts). */
const RENEW_RETRY_MS = 30_000;
/**
 * No background renewal for a token that lives shorter than this (Entra's live at least an hour):
 * a lifetime of 0 or a missing `expires_in` would otherwise renew every second, forever. Such a
 * token is fetched again on demand, when a registration needs one.
 */
const MIN_RENEWABLE_LIFETIME_MS = 2 * MIN_REMAINING_MS;
/** Node fires a timer longer than 2^31 - 1 ms after 1 ms: a huge `expires_in` must not become a request storm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface CachedToken {
  readonly accessToken: string;
  readonly expiresAt: number;
}

export class TokenSource {
  readonly #cca: ConfidentialClientApplication;
  readonly #scopes: string[];
  readonly #log: Logger;
  readonly #now: () => number;
  #cached: CachedToken | undefined;
  /** Set by `invalidate()`: the next request must bypass MSAL's cache too. */
  #stale = false;
  #inflight: Promise<CachedToken> | undefined;
  #renewTimer: ReturnType<typeof setTimeout> | undefined;
  /** The transport failure of the request in flight: MSAL replaces it with a bare `network_error`. */
  #transportFailure: HookError | undefined;
  /** Token requests sent to Entra (not served from a cache): for tests, `doctor` and the benchmark. */
  requests = 0;

  constructor(options: TokenSourceOptions) {
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
    this.#scopes = [`${options.resource}/.default`];
    this.#cca = new ConfidentialClientApplication({
      auth: { clientId: options.clientId, authority: options.authority, ...options.credential },
      system: {
        networkClient: this.#networkClient(options.fetch ?? fetch, options.requestTimeoutMs),
        // MSAL's own log lines are dropped: error text from the token endpoint can echo the request.
        loggerOptions: { logLevel: LogLevel.Error, piiLoggingEnabled: false, loggerCallback: () => undefined },
      },
    });
  }

  /** A valid access token; waits for Entra only when none is cached. */
  getToken(signal: AbortSignal): Promise<string> {
    const cached = this.#cached;
    if (cached !== undefined && cached.expiresAt - this.#now() > MIN_REMAINING_MS) return Promise.resolve(cached.accessToken);
    return raceSignal(this.#acquire(false), signal, 'token').then((token) => token.accessToken);
  }

  /** Starts a token request in the background; a failure is logged (a token failure: `error`) and retried on demand. */
  prefetch(): void {
    this.#acquire(false).catch((error: unknown) => {
      this.#log.error('token.prefetch_failed', error instanceof HookError ? failureFields(error) : {});
    });
  }

  /**
   * Forgets the cached token after Dataverse refused it (401), if `refused` is still the cached one:
   * the next registration asks Entra for a new token (bypassing MSAL's cache) instead of failing
   * with the same one until it expires.
   */
  invalidate(refused: string): void {
    // A request still in flight with an older token may be refused after a newer one arrived.
    if (this.#cached !== undefined && this.#cached.accessToken !== refused) return;
    this.#cached = undefined;
    this.#stale = true;
  }

  /** Stops the background renewal. */
  close(): void {
    clearTimeout(this.#renewTimer);
    this.#renewTimer = undefined;
  }

  #acquire(forceRefresh: boolean): Promise<CachedToken> {
    this.#inflight ??= this.#request(forceRefresh).finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #request(forceRefresh: boolean): Promise<CachedToken> {
    this.#transportFailure = undefined;
    const requestsBefore = this.requests;
    let result;
    try {
      result = await this.#cca.acquireTokenByClientCredential({ scopes: this.#scopes, skipCache: forceRefresh || this.#stale });
    } catch (error) {
      // After a 429 or 5xx, msal-node's throttle cache refuses further requests locally for the
      // server's Retry-After (60 s by default, msal-common ThrottlingUtils) and throws a ServerError
      // without a status: nothing was sent, and it is not an authentication problem.
      if (this.requests === requestsBefore && error instanceof Error && error.name === 'ServerError')
        throw new HookError('throttled', 'Token requests are held back after Entra throttled or failed.', { stage: 'token', cause: error });
      throw this.#transportFailure ?? classifyTokenError(error);
    }
    this.#stale = false;
    if (result?.accessToken === undefined || result.accessToken === '' || result.expiresOn === null) {
      throw new HookError('bad_response', 'Entra returned no access token.', { stage: 'token' });
    }
    const token = { accessToken: result.accessToken, expiresAt: result.expiresOn.getTime() };
    this.#cached = token;
    this.#scheduleRenewal(token);
    return token;
  }

  #scheduleRenewal(token: CachedToken, delayOverrideMs?: number): void {
    clearTimeout(this.#renewTimer);
    const delayMs = delayOverrideMs ?? renewalDelayMs(token.expiresAt - this.#now());
    if (delayMs === undefined) return;
    this.#renewTimer = setTimeout(() => {
      this.#acquire(true).catch((error: unknown) => {
        this.#log.error('token.renewal_failed', error instanceof HookError ? failureFields(error) : {});
        if (token.expiresAt - this.#now() > RENEW_RETRY_MS + MIN_REMAINING_MS) this.#scheduleRenewal(token, RENEW_RETRY_MS);
      });
    }, delayMs);
    // Never keep the runtime (or a CLI run) alive for a renewal.
    this.#renewTimer.unref?.();
  }

  /**
   * MSAL's own fetch client sets no timeout on the token POST, and its network errors carry the
   * cause's message, which can include the whole form body with `client_secret`. This client adds a
   * timeout and keeps failures as classified `HookError`s (MSAL only sees a bare error).
   */
  #networkClient(fetchImpl: typeof fetch, timeoutMs: number): INetworkModule {
    const send = async <T>(url: string, method: 'GET' | 'POST', options?: NetworkRequestOptions): Promise<NetworkResponse<T>> => {
      this.requests += method === 'POST' ? 1 : 0;
      let response: Response;
      try {
        response = await fetchImpl(url, {
          method,
          headers: options?.headers ?? {},
          ...(method === 'POST' ? { body: options?.body ?? '' } : {}),
          // Entra never redirects a token request; following one would resend the form body (with
          // client_secret) to wherever the Location points, and trust a token from there.
          redirect: 'error',
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        throw this.#fail(isAbort(error) ? 'timeout' : 'network', error);
      }
      const headers: Record<string, string> = {};
      response.headers.forEach((value, key) => {
        headers[key] = value;
      });
      let body: T;
      try {
        body = (await response.json()) as T;
      } catch (error) {
        // The timeout can also fire while a slow body is still arriving.
        const code = isAbort(error) ? 'timeout' : response.status >= 500 ? 'server' : response.status === 429 ? 'throttled' : 'bad_response';
        throw this.#fail(code, error, response.status);
      }
      return { headers, body, status: response.status };
    };
    return {
      sendGetRequestAsync: (url, options) => send(url, 'GET', options),
      sendPostRequestAsync: (url, options) => send(url, 'POST', options),
    };
  }

  #fail(code: 'timeout' | 'network' | 'server' | 'throttled' | 'bad_response', cause: unknown, status?: number): HookError {
    const message = code === 'timeout' ? 'The token request timed out.' : 'The token request failed.';
    this.#transportFailure = new HookError(code, message, status === undefined ? { stage: 'token', cause } : { stage: 'token', status, cause });
    return this.#transportFailure;
  }
}

/**
 * When to renew a token that lives `lifetimeMs` more: 10 minutes before expiry (at half-life for
 * short-lived tokens), never later than a timer can hold; `undefined` (no background renewal) for a
 * lifetime too short, zero, negative or not a number.
 */
export function renewalDelayMs(lifetimeMs: number): number | undefined {
  if (!(lifetimeMs >= MIN_RENEWABLE_LIFETIME_MS)) return undefined;
  return Math.min(MAX_TIMER_MS, lifetimeMs - Math.min(RENEW_BEFORE_MS, lifetimeMs / 2));
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

interface MsalErrorShape {
  errorCode?: unknown;
  errorNo?: unknown;
  status?: unknown;
  errorMessage?: unknown;
}

/**
 * Turns an MSAL error into a HookError without keeping its message: only the error code, the
 * AADSTS number and the HTTP status survive. The original is kept as `cause` for debuggers and is
 * never logged.
 */
export function classifyTokenError(error: unknown): HookError {
  const shape: MsalErrorShape = typeof error === 'object' && error !== null ? (error as MsalErrorShape) : {};
  const status = typeof shape.status === 'number' ? shape.status : undefined;
  const aadsts = aadstsOf(shape);
  const errorCode = typeof shape.errorCode === 'string' && /^[a-z_]{1,64}$/.test(shape.errorCode) ? shape.errorCode : undefined;
  const details = {
    stage: 'token' as const,
    cause: error,
    ...(status === undefined ? {} : { status }),
    ...(aadsts === undefined ? {} : { aadsts }),
    ...(errorCode === undefined ? {} : { diagnostic: `entra ${errorCode}` }),
  };
  if (status === 429) return new HookError('throttled', 'Entra throttled the token request.', details);
  if (status !== undefined && status >= 500) return new HookError('server', 'Entra failed the token request.', details);
  if (errorCode === 'network_error') return new HookError('network', 'The token request failed.', details);
  return new HookError('auth', 'Entra refused the token request.', details);
}

function aadstsOf(shape: MsalErrorShape): number | undefined {
  const fromNumber = typeof shape.errorNo === 'string' || typeof shape.errorNo === 'number' ? Number(shape.errorNo) : NaN;
  if (Number.isInteger(fromNumber) && fromNumber > 0) return fromNumber;
  const match = typeof shape.errorMessage === 'string' ? /AADSTS(\d{4,8})/.exec(shape.errorMessage) : null;
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
