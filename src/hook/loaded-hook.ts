/**
 * What one loaded hook keeps for its lifetime: the parsed config, the logger, one token source and
 * one Dataverse client, and the concurrency cap. Built once at load, so a warm registration does no
 * set-up work. Shared by the pre- and post-registration hooks.
 */
import { createPrivateKey } from 'node:crypto';
import type { DynamicsWebApi } from 'dynamics-web-api';
import { authorityOf, type Config, parseResolvedConfig, type ResolvedConfig } from './config.js';
import { createDataverseClient } from './dataverse.js';
import { type Deadline, raceSignal } from './resilience/deadline.js';
import { configError, type FailureStage, HookError, toHookError } from './errors.js';
import { ThrottleHold } from './resilience/hold.js';
import { Limiter } from './resilience/limiter.js';
import { consoleSink, createLogger, failureFields, type Logger, type LogSink } from './log.js';
import { type AttemptCounter, DEFAULT_RETRY_POLICY, type RetryPolicy, withRetries } from './resilience/retry.js';
import { normalisePem, readSecret, type SecretReader } from './secrets.js';
import { type Credential, TokenSource } from './token.js';

export interface HookOptions {
  /** Where log lines go; the console by default. */
  readonly logSink?: LogSink;
  /** How secrets are read; `process.env[NAME]`, then a global `NAME`, by default. */
  readonly readSecret?: SecretReader;
  /** Transport for the token POST; global `fetch` by default. */
  readonly fetch?: typeof fetch;
  /** Fetch a token as soon as the hook loads (default true). */
  readonly prefetchToken?: boolean;
  readonly retryPolicy?: RetryPolicy;
}

export interface LoadedHook {
  readonly config: ResolvedConfig;
  readonly log: Logger;
  readonly client: DynamicsWebApi;
  /**
   * Runs one Dataverse operation with a token, under the concurrency cap, with retries, all within
   * `deadline`. Throws a classified HookError.
   */
  call<T>(operation: (token: string, signal: AbortSignal) => Promise<T>, deadline: Deadline, counter: AttemptCounter): Promise<T>;
}

export type LoadResult = { readonly ok: true; readonly hook: LoadedHook } | { readonly ok: false; readonly error: HookError; readonly log: Logger };

/** What a slot granted during a hold gives back instead of a result: the request was not sent. */
const HELD = Symbol('held');

export function loadHook(rawConfig: unknown, options: HookOptions = {}): LoadResult {
  let config: ResolvedConfig;
  try {
    config = parseResolvedConfig(rawConfig);
  } catch (error) {
    const log = createLogger('info', options.logSink ?? consoleSink);
    const failure = error instanceof HookError ? error : configError('The hook configuration is invalid.');
    log.error('hook.config_invalid', failureFields(failure));
    return { ok: false, error: failure, log };
  }
  const log = createLogger(config.logLevel, options.logSink ?? consoleSink);
  const secrets = options.readSecret ?? readSecret;
  const client = createDataverseClient(config.dataverse);
  const retryPolicy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
  const limiter = new Limiter(config.policy.maxConcurrentRequests, retryPolicy.minAttemptMs);
  const hold = new ThrottleHold(retryPolicy.minAttemptMs);
  let tokens: TokenSource | undefined;

  /** The token source, created once the secret can be read (a variable may be added after load). */
  const tokenSource = (): TokenSource => {
    if (tokens !== undefined) return tokens;
    tokens = new TokenSource({
      clientId: config.auth.clientId,
      authority: authorityOf(config),
      resource: config.dataverse.url,
      credential: readCredential(config.auth, secrets),
      requestTimeoutMs: config.policy.timeoutMs,
      log,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    });
    return tokens;
  };

  try {
    const source = tokenSource();
    if (options.prefetchToken !== false) source.prefetch();
  } catch (error) {
    // A config failure: every registration will fail until the variable is set.
    if (error instanceof HookError) log.error('hook.credential_unavailable', failureFields(error));
  }

  const hook: LoadedHook = {
    config,
    log,
    client,
    call(operation, deadline, counter) {
      // Where the registration is waiting, so that a deadline names the right stage.
      let stage: FailureStage = 'token';
      const attempt = async (signal: AbortSignal) => {
        stage = 'token';
        const token = await tokenSource().getToken(signal);
        stage = 'dataverse';
        // Inside the slot: a 429 extends the hold before the limiter hands the slot to the next
        // request in its queue (which checks the hold first), not after the error has travelled up.
        const send = async () => {
          if (hold.remainingMs() > 0) return HELD;
          try {
            return { value: await operation(token, signal) };
          } catch (error) {
            // A 429 with Retry-After holds every request of this loaded hook, not only this one.
            if (error instanceof HookError && error.code === 'throttled' && error.status === 429 && error.retryAfterMs !== undefined)
              hold.extend(error.retryAfterMs);
            throw error;
          }
        };
        try {
          // No request starts during a hold, whether it waited for it here or in the limiter's queue.
          for (;;) {
            await hold.pass(deadline);
            const result = await limiter.run(send, deadline, 'dataverse');
            if (result !== HELD) return result.value;
          }
        } catch (error) {
          // Dataverse refused the token (401): the next attempt or registration gets a new one.
          if (error instanceof HookError && error.code === 'auth') tokenSource().invalidate(token);
          throw error;
        }
      };
      const classify = (error: unknown) => toHookError(error, stage);
      return raceSignal(withRetries(attempt, classify, deadline, counter, retryPolicy), deadline.signal, () => stage);
    },
  };
  return { ok: true, hook };
}

/** Reads the secret or the certificate key named in the config; a HookError `config` names what is missing. */
export function readCredential(auth: Config['auth'], secrets: SecretReader): Credential {
  const { clientSecretVariable, clientCertificate } = auth;
  if (clientSecretVariable !== undefined) {
    const clientSecret = secrets(clientSecretVariable);
    if (clientSecret === undefined) throw configError('The client secret variable is not set.', `variable ${clientSecretVariable} is not set`);
    return { clientSecret };
  }
  if (clientCertificate === undefined) throw configError('No credential is configured.');
  const raw = secrets(clientCertificate.privateKeyVariable);
  if (raw === undefined) throw configError('The private key variable is not set.', `variable ${clientCertificate.privateKeyVariable} is not set`);
  const privateKey = normalisePem(raw);
  try {
    createPrivateKey(privateKey);
  } catch {
    throw configError(
      'The private key variable does not hold a PEM private key.',
      `variable ${clientCertificate.privateKeyVariable} is not an unencrypted PEM private key`,
    );
  }
  return { clientCertificate: { thumbprintSha256: clientCertificate.thumbprintSha256, privateKey } };
}
