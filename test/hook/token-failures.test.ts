/**
 * How a failed token request reaches the caller: each answer of Entra's token endpoint (under nock,
 * through the real msal-node) and each transport failure becomes one `HookError` whose fields are
 * exactly the safe ones (code, fixed message, stage, status, AADSTS number, Entra's error code).
 * `policy.onError` decides on the code, `doctor` and the logs show the rest.
 */
import nock from 'nock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readFixture } from '../../src/harness/stand-in.js';
import { HookError } from '../../src/hook/errors.js';
import type { LogLine } from '../../src/hook/log.js';
import type { TokenSource } from '../../src/hook/token.js';
import { useTokenSources } from '../support/token-source.js';

const TENANT = '11111111-2222-3333-4444-555555555555';
const ENTRA = 'https://login.microsoftonline.com';
const TOKEN_PATH = `/${TENANT}/oauth2/v2.0/token`;
const TOKEN = { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: 'AT-fresh' };

const tokenSource = useTokenSources();
afterEach(() => {
  vi.useRealTimers();
});

function entra(): nock.Interceptor {
  return nock(ENTRA).post(TOKEN_PATH).query(true);
}

/** The fields of a HookError that callers and logs read, and only those. */
function fieldsOf(error: unknown) {
  expect(error).toBeInstanceOf(HookError);
  const { code, message, stage, status, aadsts, diagnostic, dataverseCode, retryAfterMs } = error as HookError;
  return { code, message, stage, status, aadsts, diagnostic, dataverseCode, retryAfterMs };
}

const NO_DETAILS = { status: undefined, aadsts: undefined, diagnostic: undefined, dataverseCode: undefined, retryAfterMs: undefined };

async function failureOf(source: TokenSource): Promise<unknown> {
  return source.getToken(new AbortController().signal).then(
    () => expect.fail('the token request succeeded'),
    (error: unknown) => error,
  );
}

describe('Entra refuses the request (an AADSTS error)', () => {
  it('is an auth failure with the status, the AADSTS number and Entra error code, never its text', async () => {
    const { status, body } = readFixture('entra-aadsts7000215.json') as { status: number; body: object };
    const scope = entra().reply(status, body);

    const error = await failureOf(tokenSource());

    expect(fieldsOf(error)).toEqual({
      ...NO_DETAILS,
      code: 'auth',
      message: 'Entra refused the token request.',
      stage: 'token',
      status: 401,
      aadsts: 7000215,
      diagnostic: 'entra invalid_client',
    });
    expect(scope.isDone()).toBe(true);
  });

  it('takes the AADSTS number from the description when Entra sends no error_codes', async () => {
    entra().reply(400, {
      error: 'invalid_scope',
      error_description: 'AADSTS500011: The resource principal named https://contoso.crm4.dynamics.com was not found.',
    });

    const error = await failureOf(tokenSource());

    expect(fieldsOf(error)).toEqual({
      ...NO_DETAILS,
      code: 'auth',
      message: 'Entra refused the token request.',
      stage: 'token',
      status: 400,
      aadsts: 500011,
      diagnostic: 'entra invalid_scope',
    });
  });

  it('logs a failed pre-fetch with those fields and nothing of the request', async () => {
    const { status, body } = readFixture('entra-aadsts7000215.json') as { status: number; body: object };
    entra().reply(status, body);
    const logs: LogLine[] = [];
    tokenSource({}, logs).prefetch();

    await vi.waitFor(() => expect(logs).toHaveLength(1));

    expect(logs).toEqual([
      { level: 'error', event: 'token.prefetch_failed', failure: 'auth', stage: 'token', status: 401, aadsts: 7000215, diagnostic: 'entra invalid_client' },
    ]);
  });
});

describe('a failure before anything is sent', () => {
  it('a certificate whose private key does not parse is an auth failure (a credential to fix), not a request held back', async () => {
    const source = tokenSource({ credential: { clientCertificate: { thumbprintSha256: 'A'.repeat(64), privateKey: 'not a PEM key' } } });

    const error = await failureOf(source);

    expect(fieldsOf(error)).toEqual({ ...NO_DETAILS, code: 'auth', message: 'Entra refused the token request.', stage: 'token' });
    expect(source.requests).toBe(0);
  });
});

describe('Entra throttles or fails', () => {
  it('a 429 is throttled, with its status', async () => {
    entra().reply(429, {
      error: 'temporarily_unavailable',
      error_description: 'AADSTS50196: The server terminated an operation because it encountered a client request loop.',
      error_codes: [50196],
    });

    const error = await failureOf(tokenSource());

    expect(fieldsOf(error)).toEqual({
      ...NO_DETAILS,
      code: 'throttled',
      message: 'Entra throttled the token request.',
      stage: 'token',
      status: 429,
      aadsts: 50196,
      diagnostic: 'entra temporarily_unavailable',
    });
  });

  it('a 500 is a server failure, with its status', async () => {
    entra().reply(500, { error: 'server_error', error_description: 'AADSTS90002: Tenant not found.', error_codes: [90002] });

    const error = await failureOf(tokenSource());

    expect(fieldsOf(error)).toEqual({
      ...NO_DETAILS,
      code: 'server',
      message: 'Entra failed the token request.',
      stage: 'token',
      status: 500,
      aadsts: 90002,
      diagnostic: 'entra server_error',
    });
  });

  it('after a 429, msal-node holds further requests back without sending them: throttled, not an auth failure', async () => {
    entra().reply(429, { error: 'temporarily_unavailable', error_codes: [50196] });
    const held = entra().reply(200, TOKEN);
    const source = tokenSource();
    await failureOf(source);

    const error = await failureOf(source);

    expect(fieldsOf(error)).toEqual({
      ...NO_DETAILS,
      code: 'throttled',
      message: 'Token requests are held back after Entra throttled or failed.',
      stage: 'token',
    });
    expect(source.requests).toBe(1);
    expect(held.isDone()).toBe(false);
  });

  it("honours Entra's Retry-After: requests stay held back for its 120 s, not msal-node's default 60 s", async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-11-22T10:00:00Z') });
    entra().reply(429, { error: 'temporarily_unavailable', error_codes: [50196] }, { 'Retry-After': '120' });
    entra().reply(200, TOKEN);
    const source = tokenSource();
    await failureOf(source);

    vi.setSystemTime(new Date('2026-11-22T10:01:30Z'));
    expect(fieldsOf(await failureOf(source))).toMatchObject({ code: 'throttled', status: undefined });
    expect(source.requests).toBe(1);

    vi.setSystemTime(new Date('2026-11-22T10:02:01Z'));
    await expect(source.getToken(new AbortController().signal)).resolves.toBe('AT-fresh');
    expect(source.requests).toBe(2);
  });
});

describe('an answer that is not JSON', () => {
  it.each([
    [500, 'server'],
    [503, 'server'],
    [429, 'throttled'],
    [200, 'bad_response'],
    [400, 'bad_response'],
  ] as const)('an HTML page with status %i is %s, with its status', async (status, code) => {
    entra().reply(status, '<html><body>Service Unavailable</body></html>', { 'content-type': 'text/html' });

    const error = await failureOf(tokenSource());

    expect(fieldsOf(error)).toEqual({ ...NO_DETAILS, code, message: 'The token request failed.', stage: 'token', status });
  });
});

describe('a token answer without a token', () => {
  it.each([
    ['without access_token', { token_type: 'Bearer', expires_in: 3599 }],
    ['with an empty access_token', { token_type: 'Bearer', expires_in: 3599, access_token: '' }],
  ])('a 200 %s is a bad response, and the next registration asks again', async (_label, body) => {
    entra().reply(200, body);
    entra().reply(200, TOKEN);
    const source = tokenSource();

    const error = await failureOf(source);

    expect(fieldsOf(error)).toEqual({ ...NO_DETAILS, code: 'bad_response', message: 'Entra returned no access token.', stage: 'token' });
    await expect(source.getToken(new AbortController().signal)).resolves.toBe('AT-fresh');
  });
});

describe('transport failures', () => {
  it('a connection reset is a network failure, with no status and no diagnostic', async () => {
    entra().replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));

    const error = await failureOf(tokenSource());

    expect(fieldsOf(error)).toEqual({ ...NO_DETAILS, code: 'network', message: 'The token request failed.', stage: 'token' });
  });

  it('an answer slower than requestTimeoutMs is a timeout', async () => {
    entra().delay(5000).reply(200, TOKEN);

    const error = await failureOf(tokenSource({ requestTimeoutMs: 30 }));

    expect(fieldsOf(error)).toEqual({ ...NO_DETAILS, code: 'timeout', message: 'The token request timed out.', stage: 'token' });
  });

  it('a body slower than requestTimeoutMs is a timeout too, even after a 200', async () => {
    entra().delayBody(5000).reply(200, TOKEN);
    // The timeout fires once the headers are in, whatever the load on the machine (a real 30 ms
    // timer could fire before the headers, and test the case above instead).
    const timeoutAfterHeaders: typeof fetch = async (input, init) => {
      const controller = new AbortController();
      const response = await fetch(input, { ...init, signal: controller.signal });
      controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
      return response;
    };

    const error = await failureOf(tokenSource({ fetch: timeoutAfterHeaders }));

    expect(fieldsOf(error)).toEqual({ ...NO_DETAILS, code: 'timeout', message: 'The token request timed out.', stage: 'token', status: 200 });
  });

  it('a transport that reports the abort as an AbortError (as node-fetch does) times out as well', async () => {
    const abortingFetch: typeof fetch = (input, init) =>
      fetch(input, init).catch(() => Promise.reject(new DOMException('The operation was aborted.', 'AbortError')));
    entra().delay(5000).reply(200, TOKEN);

    const error = await failureOf(tokenSource({ requestTimeoutMs: 30, fetch: abortingFetch }));

    expect(fieldsOf(error)).toMatchObject({ code: 'timeout', message: 'The token request timed out.' });
  });

  it("the registration's own deadline passing first is a timeout of the token stage", async () => {
    entra().delay(5000).reply(200, TOKEN);
    const source = tokenSource();

    const error = await source.getToken(AbortSignal.timeout(20)).catch((e: unknown) => e);

    expect(fieldsOf(error)).toMatchObject({ code: 'timeout', stage: 'token' });
  });
});

describe('the transport', () => {
  it('is the form post msal-node builds: its content type and body reach Entra', async () => {
    let contentType: unknown;
    let body = '';
    entra().reply(function (_uri, requestBody) {
      contentType = this.req.headers['content-type'];
      body = String(requestBody);
      return [200, TOKEN];
    });

    await tokenSource().getToken(new AbortController().signal);

    expect(contentType).toBe('application/x-www-form-urlencoded;charset=utf-8');
    expect(new URLSearchParams(body).get('grant_type')).toBe('client_credentials');
    expect(new URLSearchParams(body).get('scope')).toBe('https://contoso.crm4.dynamics.com/.default');
  });

  it('routes the metadata GETs of an authority msal-node has no built-in metadata for through the same transport, without a body, and counts only the token POST', async () => {
    const host = 'https://login.contoso-sovereign.example';
    const seen: string[] = [];
    nock(ENTRA)
      .get('/common/discovery/instance')
      .query(true)
      .reply(function (uri) {
        seen.push(`GET ${ENTRA}${uri.replace(/\?.*$/, '')}`);
        return [200, { tenant_discovery_endpoint: `${host}/${TENANT}/v2.0/.well-known/openid-configuration`, 'api-version': '1.1', metadata: [] }];
      });
    nock(host)
      .get(`/${TENANT}/v2.0/.well-known/openid-configuration`)
      .reply(function (uri) {
        seen.push(`GET ${host}${uri}`);
        return [
          200,
          {
            token_endpoint: `${host}/${TENANT}/oauth2/v2.0/token`,
            issuer: `${host}/${TENANT}/v2.0`,
            authorization_endpoint: `${host}/${TENANT}/oauth2/v2.0/authorize`,
            end_session_endpoint: `${host}/${TENANT}/oauth2/v2.0/logout`,
            jwks_uri: `${host}/${TENANT}/discovery/v2.0/keys`,
          },
        ];
      });
    nock(host)
      .post(`/${TENANT}/oauth2/v2.0/token`)
      .query(true)
      .reply(function () {
        seen.push(`POST ${host}${TOKEN_PATH}`);
        return [200, TOKEN];
      });
    // nock's fetch lets a GET carry a body; undici's, in production, throws on one.
    const strictFetch: typeof fetch = (input, init) => {
      void new Request(input, init);
      return fetch(input, init);
    };
    const source = tokenSource({ authority: `${host}/${TENANT}`, fetch: strictFetch });

    await expect(source.getToken(new AbortController().signal)).resolves.toBe('AT-fresh');

    expect(seen).toEqual([
      `GET ${ENTRA}/common/discovery/instance`,
      `GET ${host}/${TENANT}/v2.0/.well-known/openid-configuration`,
      `POST ${host}${TOKEN_PATH}`,
    ]);
    expect(source.requests).toBe(1);
  });
});
