/**
 * The Dataverse adapter: how every library error is classified, and what happens on real sockets
 * (a local HTTP server) where nock cannot reproduce the transport: resets, refused connections and
 * the malformed-body exception that dynamics-web-api throws outside any promise.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseResolvedConfig, type ResolvedConfig } from '../../src/hook/config.js';
import { classifyDataverseError, createDataverseClient, findContactsByEmail, lookupColumns, retryAfterMsOf } from '../../src/hook/dataverse.js';
import { HookError } from '../../src/hook/errors.js';
import { readFixture } from '../../src/harness/stand-in.js';
import { BASE_CONFIG } from '../support/helpers.js';

describe('classifyDataverseError', () => {
  const httpError = (status: number, extra: Record<string, unknown> = {}) => Object.assign(new Error('x'), { status, headers: {}, ...extra });

  it.each([
    [401, 'auth'],
    [403, 'forbidden'],
    [404, 'not_found'],
    [429, 'throttled'],
    [500, 'server'],
    [503, 'server'],
    [400, 'config'],
    [412, 'bad_response'],
  ])('classifies HTTP %i as %s', (status, code) => {
    const failure = classifyDataverseError(httpError(status));
    expect(failure).toBeInstanceOf(HookError);
    expect(failure).toMatchObject({ code, status, stage: 'dataverse' });
  });

  it('keeps the Dataverse error code and never the message', () => {
    const failure = classifyDataverseError(httpError(403, { code: '0x80072560', message: 'Principal user (Id=secret-ish) is missing prvReadContact' }));
    expect(failure).toMatchObject({ code: 'forbidden', dataverseCode: '0x80072560', message: 'Dataverse denied the request (403).' });
  });

  it('ignores an error code that is not a Dataverse hex code', () => {
    expect(classifyDataverseError(httpError(500, { code: 'ada@example.com' })).dataverseCode).toBeUndefined();
  });

  it('reads Retry-After seconds on a 429', () => {
    expect(classifyDataverseError(httpError(429, { headers: { 'retry-after': '17' } })).retryAfterMs).toBe(17_000);
  });

  it('takes the reason of a 401 from 401_error_reason or WWW-Authenticate, cut to 200 printable characters', () => {
    const failure = classifyDataverseError(httpError(401, { headers: { 'www-authenticate': `Bearer error="invalid_token"\u0007${'x'.repeat(300)}` } }));
    expect(failure.diagnostic).toMatch(/^Bearer error="invalid_token"x+$/);
    expect(failure.diagnostic).toHaveLength(200);
  });

  it.each([
    ['an AbortError', Object.assign(new Error('aborted'), { name: 'AbortError', code: 'ABORT_ERR' }), 'timeout'],
    ['ECONNRESET', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'network'],
    ['ECONNREFUSED', Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }), 'network'],
    ['a batch error array', [new Error('a')], 'bad_response'],
    ['a TLS certificate error', Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' }), 'network'],
    ['a TLS host name mismatch', Object.assign(new Error('altname'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }), 'network'],
    ['a parameter error of the library', new Error('DynamicsWebApi.retrieveMultiple requires a request.select parameter to be of type Array.'), 'internal'],
    ['a TypeError', Object.assign(new TypeError('Invalid URL'), { code: 'ERR_INVALID_URL' }), 'internal'],
  ])('classifies %s as %s', (_label, error, code) => {
    expect(classifyDataverseError(error).code).toBe(code);
  });

  it('passes a HookError through unchanged', () => {
    const original = new HookError('auth', 'Entra refused the token request.', { stage: 'token', aadsts: 7000215 });
    expect(classifyDataverseError(original)).toBe(original);
  });
});

describe('retryAfterMsOf', () => {
  it('accepts seconds and HTTP dates, and nothing else', () => {
    expect(retryAfterMsOf('2')).toBe(2000);
    expect(retryAfterMsOf('0.5')).toBe(500);
    expect(retryAfterMsOf(new Date(Date.now() + 60_000).toUTCString())).toBeGreaterThan(50_000);
    expect(retryAfterMsOf('soon')).toBeUndefined();
    expect(retryAfterMsOf(undefined)).toBeUndefined();
    expect(retryAfterMsOf('')).toBeUndefined();
  });
});

describe('lookupColumns', () => {
  it('selects the key, the ordering column and each enrich column once', () => {
    const config = parseResolvedConfig({ ...BASE_CONFIG, enrich: { 'name.givenName': 'firstname', 'a.b': 'firstname', 'c.d': 'modifiedon' } });
    expect(lookupColumns(config)).toEqual(['contactid', 'modifiedon', 'firstname']);
  });
});

describe('findContactsByEmail on real sockets', () => {
  type Handler = (url: string, response: ServerResponse) => void;
  let handler: Handler = () => undefined;
  let server: Server;
  let config: ResolvedConfig;

  beforeAll(async () => {
    server = createServer((request, response) => handler(request.url ?? '', response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    // The config schema only accepts https; this adapter-level test points the client at a local
    // plain-HTTP server on purpose, to see what real sockets do.
    config = { ...parseResolvedConfig(BASE_CONFIG), dataverse: { url: `http://127.0.0.1:${port}`, apiVersion: '9.2' } };
    nock.enableNetConnect('127.0.0.1');
  });
  afterAll(async () => {
    nock.disableNetConnect();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  afterEach(() => {
    server.closeAllConnections();
  });

  const lookup = (email: string, timeoutMs = 1000) =>
    findContactsByEmail(createDataverseClient(config.dataverse), config, { email, token: 'fixture-token', signal: AbortSignal.timeout(timeoutMs) }).catch(
      (error: unknown) => error,
    );

  it('returns the contacts of a well-formed answer', async () => {
    handler = (_url, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(readFixture('contacts-one.json')));
    const contacts = await lookup('ada.lovelace@example.com');
    expect(contacts).toMatchObject([{ contactid: '0f8fad5b-d9cb-469f-a165-70867728950e', firstname: 'Ada', modifiedon: new Date('2026-10-01T09:30:00Z') }]);
  });

  it('classifies a connection reset before any response as a network failure', async () => {
    handler = (_url, response) => response.socket?.destroy();
    expect(await lookup('ada.lovelace@example.com')).toMatchObject({ code: 'network', stage: 'dataverse' });
  });

  it('classifies a refused connection as a network failure', async () => {
    const refused = { ...config, dataverse: { url: 'http://127.0.0.1:1', apiVersion: '9.2' } };
    const failure = await findContactsByEmail(createDataverseClient(refused.dataverse), refused, {
      email: 'a@example.com',
      token: 't',
      signal: AbortSignal.timeout(1000),
    }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'network' });
  });

  it('turns a malformed 2xx body into bad_response for that request only, and releases the process handler once no request is in flight', async () => {
    handler = (url, response) => {
      const malformed = decodeURIComponent(url).includes('broken@example.com');
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(malformed ? '{"value": [{"contactid":' : JSON.stringify(readFixture('contacts-one.json')));
    };
    const [broken, fine, alsoBroken] = await Promise.all([lookup('broken@example.com'), lookup('ada.lovelace@example.com'), lookup('broken@example.com')]);

    expect(broken).toMatchObject({ code: 'bad_response', message: 'Dataverse returned a response the client library could not handle.' });
    expect(alsoBroken).toMatchObject({ code: 'bad_response' });
    expect(fine).toMatchObject([{ contactid: '0f8fad5b-d9cb-469f-a165-70867728950e' }]);
    expect(process.hasUncaughtExceptionCaptureCallback()).toBe(false);
  });

  it('gives up on a reset mid-response when the signal aborts, although dynamics-web-api never settles', async () => {
    handler = (_url, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).write('{"value": [');
      setTimeout(() => response.socket?.destroy(), 10);
    };
    expect(await lookup('ada.lovelace@example.com', 300)).toMatchObject({ code: 'timeout', stage: 'dataverse' });
  });
});
