/**
 * What one loaded hook does at load and around each Dataverse operation (src/hook/loaded-hook.ts):
 * the config and credential failures it reports, the token pre-fetch, the transport for Entra, and
 * `call`: token, concurrency cap, retries and the deadline, with the stage a timeout names. Entra is
 * nock behind real msal-node; the Dataverse operation is a plain function, since `call` runs any.
 */
import { generateKeyPairSync } from 'node:crypto';
import nock from 'nock';
import { describe, expect, it, vi } from 'vitest';
import { type Config, type ConfigInput, parseConfig } from '../../src/hook/config.js';
import { HookError } from '../../src/hook/errors.js';
import { type HookOptions, loadHook, type LoadedHook, readCredential } from '../../src/hook/loaded-hook.js';
import type { LogLine } from '../../src/hook/log.js';
import type { Deadline } from '../../src/hook/resilience/deadline.js';
import type { RetryPolicy } from '../../src/hook/resilience/retry.js';

const TENANT = '11111111-2222-3333-4444-555555555555';
const CLIENT = '66666666-7777-8888-9999-000000000000';
const CONFIG = {
  dataverse: { url: 'https://contoso.crm4.dynamics.com' },
  auth: { tenantId: TENANT, clientId: CLIENT, clientSecretVariable: 'DYNAMICS_CLIENT_SECRET' },
  enrich: { 'name.givenName': 'firstname' },
} satisfies ConfigInput;
const TOKEN_URL = `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`;
const INVALID = { name: 'HookError', code: 'config', stage: 'config', message: 'The hook configuration is invalid.' };

/** Entra answering the next token POST with `accessToken` (a fake), valid for `expiresInS`. */
function entraIssues(accessToken: string, expiresInS = 3599): nock.Scope {
  return nock('https://login.microsoftonline.com')
    .post(`/${TENANT}/oauth2/v2.0/token`)
    .query(true)
    .reply(200, { token_type: 'Bearer', expires_in: expiresInS, ext_expires_in: expiresInS, access_token: accessToken });
}

/** The global fetch (so nock answers), recording each request the hook sends through it. */
function recordingFetch(onSend: (count: number) => void = () => undefined): { fetch: typeof fetch; sent: string[] } {
  const sent: string[] = [];
  const recording = ((input: string | URL | Request, init?: RequestInit) => {
    sent.push(`${init?.method ?? 'GET'} ${String(input).split('?')[0]}`);
    onSend(sent.length);
    return fetch(input, init);
  }) as typeof fetch;
  return { fetch: recording, sent };
}

/** A hook that loaded; its log lines and the requests it sent to Entra. */
function load(config: unknown = CONFIG, options: HookOptions = {}): { hook: LoadedHook; lines: LogLine[]; sent: string[] } {
  const lines: LogLine[] = [];
  const { fetch: recording, sent } = recordingFetch();
  const result = loadHook(config, {
    logSink: (line) => lines.push(line),
    readSecret: () => 'test-secret-not-real',
    fetch: recording,
    prefetchToken: false,
    ...options,
  });
  if (!result.ok) throw new Error('the hook did not load');
  return { hook: result.hook, lines, sent };
}

/** A registration's deadline that the test aborts by hand, with `remainingMs` left until then. */
function deadline(remainingMs = 10_000): { deadline: Deadline; abort: () => void } {
  const controller = new AbortController();
  const stand = {
    signal: controller.signal,
    endsAt: Date.now() + remainingMs,
    remainingMs: () => (controller.signal.aborted ? 0 : remainingMs),
    dispose: () => undefined,
  };
  return { deadline: stand as unknown as Deadline, abort: () => controller.abort() };
}

/** Lets pending promise callbacks and I/O callbacks run (msal-node reaches fetch within microtasks). */
const flush = async () => {
  for (let turn = 0; turn < 3; turn += 1) await new Promise<void>((resolve) => setImmediate(resolve));
};

const NO_RETRY_WAIT: RetryPolicy = { maxAttempts: 2, baseDelayMs: 0, minAttemptMs: 0, random: () => 0.5 };

describe('loadHook, with a config that is not valid', () => {
  it('fails as config and logs hook.config_invalid at error, with the paths at fault', () => {
    const lines: LogLine[] = [];
    const result = loadHook({ ...CONFIG, dataverse: {} }, { logSink: (line) => lines.push(line) });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(HookError);
    expect(result.error).toMatchObject(INVALID);
    expect(lines).toEqual([{ level: 'error', event: 'hook.config_invalid', failure: 'config', stage: 'config', diagnostic: result.error.diagnostic }]);
    expect(result.error.diagnostic).toMatch(/^dataverse/);
  });

  it('reports a config that throws when read as invalid, not with what it threw', () => {
    const lines: LogLine[] = [];
    const hostile = {
      ...CONFIG,
      get policy(): never {
        throw new Error('a getter in the pasted config');
      },
    };
    const result = loadHook(hostile, { logSink: (line) => lines.push(line) });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ ...INVALID, diagnostic: undefined });
    expect(lines).toEqual([{ level: 'error', event: 'hook.config_invalid', failure: 'config', stage: 'config' }]);
  });

  it('hands back a logger at info: it drops debug lines and writes the rest', () => {
    const lines: LogLine[] = [];
    const result = loadHook({}, { logSink: (line) => lines.push(line) });
    if (result.ok) throw new Error('the config was taken for valid');
    lines.splice(0);
    result.log.debug('hook.no_callback');
    result.log.info('hook.no_callback');
    expect(lines).toEqual([{ level: 'info', event: 'hook.no_callback' }]);
  });
});

describe('loadHook, the credential and the token at load', () => {
  it('asks Entra for a token as soon as it loads, through the fetch it was given', async () => {
    const scope = entraIssues('token-one');
    const { sent } = load(CONFIG, { prefetchToken: true });
    await flush();
    expect(sent).toEqual([`POST ${TOKEN_URL}`]);
    await vi.waitFor(() => expect(scope.isDone()).toBe(true));
  });

  it('with prefetchToken: false, sends no token request until the first call', async () => {
    const scope = entraIssues('token-one');
    const { hook, sent } = load(CONFIG, { prefetchToken: false });
    await flush();
    expect(sent).toEqual([]);
    await expect(hook.call(async (token) => token, deadline().deadline, { attempts: 0 })).resolves.toBe('token-one');
    expect(sent).toEqual([`POST ${TOKEN_URL}`]);
    expect(scope.isDone()).toBe(true);
  });

  it('logs a secret variable missing at load as hook.credential_unavailable, and picks the variable up once it is set', async () => {
    const variables = new Map<string, string>();
    const { hook, lines, sent } = load(CONFIG, { readSecret: (name) => variables.get(name), prefetchToken: true });
    expect(lines).toEqual([
      {
        level: 'error',
        event: 'hook.credential_unavailable',
        failure: 'config',
        stage: 'config',
        diagnostic: 'variable DYNAMICS_CLIENT_SECRET is not set',
      },
    ]);
    await flush();
    expect(sent).toEqual([]);
    await expect(hook.call(async () => 'never run', deadline().deadline, { attempts: 0 })).rejects.toMatchObject({
      name: 'HookError',
      code: 'config',
      message: 'The client secret variable is not set.',
    });

    variables.set('DYNAMICS_CLIENT_SECRET', 'test-secret-not-real');
    entraIssues('token-one');
    await expect(hook.call(async (token) => token, deadline().deadline, { attempts: 0 })).resolves.toBe('token-one');
  });

  it('logs nothing at load when reading a secret fails in another way; the call then fails as internal', async () => {
    const { hook, lines } = load(CONFIG, {
      readSecret: () => {
        throw new TypeError('the runtime refused to read the variable');
      },
      prefetchToken: true,
    });
    expect(lines).toEqual([]);
    await expect(hook.call(async () => 'never run', deadline().deadline, { attempts: 0 })).rejects.toMatchObject({
      name: 'HookError',
      code: 'internal',
      stage: 'token',
    });
  });
});

describe('LoadedHook.call', () => {
  it('runs the operation with the token and the deadline’s signal, and returns its result', async () => {
    entraIssues('token-one');
    const { hook } = load();
    const { deadline: registration } = deadline();
    const operation = vi.fn(async () => 'contacts');
    const counter = { attempts: 0 };
    await expect(hook.call(operation, registration, counter)).resolves.toBe('contacts');
    expect(operation).toHaveBeenCalledExactlyOnceWith('token-one', registration.signal);
    expect(counter.attempts).toBe(1);
  });

  it('names the dataverse stage when the deadline passes during the operation', async () => {
    entraIssues('token-one');
    const { hook } = load();
    const { deadline: registration, abort } = deadline();
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const result = hook.call(
      () => {
        started();
        return new Promise<never>(() => undefined);
      },
      registration,
      { attempts: 0 },
    );
    await running;
    abort();
    await expect(result).rejects.toMatchObject({ name: 'HookError', code: 'timeout', stage: 'dataverse' });
  });

  it('names the token stage when the deadline passes while a retry waits for a new token', async () => {
    // A token that expires within the minute is not reused: the retry asks Entra again.
    entraIssues('short-lived', 30);
    nock('https://login.microsoftonline.com').post(`/${TENANT}/oauth2/v2.0/token`).query(true).delay(60_000).reply(200, {});
    const lines: LogLine[] = [];
    const { deadline: registration, abort } = deadline();
    const loaded = loadHook(CONFIG, {
      logSink: (line) => lines.push(line),
      readSecret: () => 'test-secret-not-real',
      fetch: recordingFetch((count) => (count === 2 ? abort() : undefined)).fetch,
      prefetchToken: false,
      retryPolicy: NO_RETRY_WAIT,
    });
    if (!loaded.ok) throw new Error('the hook did not load');
    const counter = { attempts: 0 };
    const unavailable = new HookError('server', 'Dataverse failed the request.', { stage: 'dataverse', status: 503 });
    const result = loaded.hook.call(() => Promise.reject(unavailable), registration, counter);
    await expect(result).rejects.toMatchObject({ name: 'HookError', code: 'timeout', stage: 'token' });
    expect(counter.attempts).toBe(2);
  });

  it('does not start the operation when the deadline leaves too little time for it: a dataverse timeout', async () => {
    entraIssues('token-one');
    const { hook } = load();
    const operation = vi.fn(async () => 'contacts');
    await expect(hook.call(operation, deadline(50).deadline, { attempts: 0 })).rejects.toMatchObject({
      name: 'HookError',
      code: 'timeout',
      stage: 'dataverse',
      message: 'The deadline passed before the request completed.',
    });
    expect(operation).not.toHaveBeenCalled();
  });

  it('after Dataverse refuses the token (auth), the next call gets a new one from Entra', async () => {
    entraIssues('token-one');
    entraIssues('token-two');
    const { hook, sent } = load();
    const seen: string[] = [];
    const refused = new HookError('auth', 'Dataverse refused the token.', { stage: 'dataverse', status: 401 });
    await expect(
      hook.call(
        (token) => {
          seen.push(token);
          return Promise.reject(refused);
        },
        deadline().deadline,
        { attempts: 0 },
      ),
    ).rejects.toBe(refused);
    await hook.call(async (token) => seen.push(token), deadline().deadline, { attempts: 0 });
    expect(seen).toEqual(['token-one', 'token-two']);
    expect(sent).toHaveLength(2);
  });

  it('keeps the token after any other refusal', async () => {
    entraIssues('token-one');
    const { hook, sent } = load();
    const seen: string[] = [];
    const forbidden = new HookError('forbidden', 'Dataverse refused the request.', { stage: 'dataverse', status: 403 });
    await expect(
      hook.call(
        (token) => {
          seen.push(token);
          return Promise.reject(forbidden);
        },
        deadline().deadline,
        { attempts: 0 },
      ),
    ).rejects.toBe(forbidden);
    await hook.call(async (token) => seen.push(token), deadline().deadline, { attempts: 0 });
    expect(seen).toEqual(['token-one', 'token-one']);
    expect(sent).toHaveLength(1);
  });
});

describe('readCredential', () => {
  const certificateAuth = (privateKeyVariable = 'DYNAMICS_PRIVATE_KEY'): Config['auth'] =>
    parseConfig({ ...CONFIG, auth: { tenantId: TENANT, clientId: CLIENT, clientCertificate: { thumbprintSha256: 'ab'.repeat(32), privateKeyVariable } } }).auth;
  const variables = (values: Record<string, string>) => (name: string) => values[name];

  it('reads the client secret from its variable', () => {
    expect(readCredential(parseConfig(CONFIG).auth, variables({ DYNAMICS_CLIENT_SECRET: 'test-secret-not-real' }))).toEqual({
      clientSecret: 'test-secret-not-real',
    });
  });

  it('names the client secret variable that is not set', () => {
    expect(() => readCredential(parseConfig(CONFIG).auth, variables({}))).toThrow(
      expect.objectContaining({
        name: 'HookError',
        code: 'config',
        stage: 'config',
        message: 'The client secret variable is not set.',
        diagnostic: 'variable DYNAMICS_CLIENT_SECRET is not set',
      }),
    );
  });

  it('refuses an auth section with neither a secret nor a certificate', () => {
    expect(() => readCredential({ tenantId: TENANT, clientId: CLIENT } as Config['auth'], variables({}))).toThrow(
      expect.objectContaining({ name: 'HookError', code: 'config', message: 'No credential is configured.', diagnostic: undefined }),
    );
  });

  it('names the private key variable that is not set', () => {
    expect(() => readCredential(certificateAuth(), variables({}))).toThrow(
      expect.objectContaining({
        name: 'HookError',
        code: 'config',
        message: 'The private key variable is not set.',
        diagnostic: 'variable DYNAMICS_PRIVATE_KEY is not set',
      }),
    );
  });

  it('reads a PEM private key pasted on one line with literal \\n, and passes on the thumbprint', () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(readCredential(certificateAuth(), variables({ DYNAMICS_PRIVATE_KEY: pem.replaceAll('\n', '\\n') }))).toEqual({
      clientCertificate: { thumbprintSha256: 'ab'.repeat(32), privateKey: pem },
    });
  });

  it.each([
    ['text that is no key', () => 'not a key'],
    [
      'an encrypted key',
      () =>
        generateKeyPairSync('ec', { namedCurve: 'P-256' })
          .privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'test-passphrase' })
          .toString(),
    ],
  ])('refuses %s in the private key variable, naming the variable', (_label, value) => {
    expect(() => readCredential(certificateAuth(), variables({ DYNAMICS_PRIVATE_KEY: value() }))).toThrow(
      expect.objectContaining({
        name: 'HookError',
        code: 'config',
        message: 'The private key variable does not hold a PEM private key.',
        diagnostic: 'variable DYNAMICS_PRIVATE_KEY is not an unencrypted PEM private key',
      }),
    );
  });
});
