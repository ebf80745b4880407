/**
 * The Dataverse adapter: how every library error is classified, and what happens on real sockets
 * (a local HTTP server) where nock cannot reproduce the transport: resets, refused connections and
 * the malformed-body exception that dynamics-web-api throws outside any promise.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseResolvedConfig, type ResolvedConfig } from '../../src/hook/config.js';
import {
  classifyDataverseError,
  createContact,
  createDataverseClient,
  findContactsByEmail,
  isContactId,
  lookupColumns,
  readContact,
  retryAfterMsOf,
  updateContact,
} from '../../src/hook/dataverse.js';
import { HookError } from '../../src/hook/errors.js';
import { readFixture } from '../../src/harness/stand-in.js';
import { API, BASE_CONFIG, JSON_HEADERS, ORG } from '../support/helpers.js';

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

  it('keeps only a known Bearer error of WWW-Authenticate as the reason of a 401, never the rest of the header', () => {
    const failure = classifyDataverseError(httpError(401, { headers: { 'www-authenticate': `Bearer error="invalid_token"\u0007${'x'.repeat(300)}` } }));
    expect(failure.diagnostic).toBe('invalid_token');
  });

  it('reports any other 401 reason as "other": a header carrying an email or free text never reaches the diagnostic', () => {
    for (const reason of ['ada.lovelace@example.com', 'IDX99999: made up', 'Bearer error="ada@example.com"', '\u001b]0;pwned\u0007']) {
      const failure = classifyDataverseError(httpError(401, { headers: { '401_error_reason': reason } }));
      expect(failure.diagnostic).toBe('other');
    }
  });

  it.each([
    { label: 'an AbortError by name (a DOMException)', error: Object.assign(new Error('This operation was aborted'), { name: 'AbortError' }), code: 'timeout' },
    { label: 'an AbortError by code (Node)', error: Object.assign(new Error('The operation was aborted'), { code: 'ABORT_ERR' }), code: 'timeout' },
    { label: 'ECONNRESET', error: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), code: 'network' },
    { label: 'ECONNREFUSED', error: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }), code: 'network' },
    { label: 'a batch error array', error: [new Error('a')], code: 'bad_response' },
    { label: 'a TLS certificate error', error: Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' }), code: 'network' },
    { label: 'a TLS host name mismatch', error: Object.assign(new Error('altname'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }), code: 'network' },
    {
      label: 'a parameter error of the library',
      error: new Error('DynamicsWebApi.retrieveMultiple requires a request.select parameter to be of type Array.'),
      code: 'internal',
    },
    { label: 'a TypeError', error: Object.assign(new TypeError('Invalid URL'), { code: 'ERR_INVALID_URL' }), code: 'internal' },
  ])('classifies $label as $code', ({ error, code }) => {
    expect(classifyDataverseError(error).code).toBe(code);
  });

  it.each([
    {
      label: 'an AbortError by name',
      error: Object.assign(new Error('aborted'), { name: 'AbortError' }),
      code: 'timeout',
      message: 'The deadline passed before the request completed.',
    },
    {
      label: 'an AbortError by code',
      error: Object.assign(new Error('aborted'), { code: 'ABORT_ERR' }),
      code: 'timeout',
      message: 'The deadline passed before the request completed.',
    },
    {
      label: 'a refused connection',
      error: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
      code: 'network',
      message: 'Dataverse could not be reached.',
    },
    { label: 'a batch error array', error: [new Error('a')], code: 'bad_response', message: 'Dataverse returned an unexpected batch response.' },
    { label: 'an HTTP 404', error: httpError(404), code: 'not_found', message: 'Dataverse did not find the resource.' },
    { label: 'an HTTP 500', error: httpError(500), code: 'server', message: 'Dataverse failed the request.' },
    { label: 'an HTTP 400', error: httpError(400), code: 'config', message: 'Dataverse rejected the query; check the configured columns.' },
    { label: 'an HTTP 412', error: httpError(412), code: 'bad_response', message: 'Dataverse answered with an unexpected status.' },
    { label: 'an HTTP 499', error: httpError(499), code: 'bad_response', message: 'Dataverse answered with an unexpected status.' },
  ])('gives $label the code $code and a fixed message, keeping the error as the cause', ({ error, code, message }) => {
    const failure = classifyDataverseError(error);
    expect(failure).toMatchObject({ code, message, stage: 'dataverse' });
    expect(failure.cause).toBe(error);
  });

  it.each([
    'ECONNRESET',
    'ECONNREFUSED',
    'ECONNABORTED',
    'ENOTFOUND',
    'EAI_AGAIN',
    'ETIMEDOUT',
    'EPIPE',
    'ENETDOWN',
    'ENETUNREACH',
    'EHOSTDOWN',
    'EHOSTUNREACH',
    'EPROTO',
    'ERR_TLS_CERT_ALTNAME_INVALID',
    'ERR_SSL_WRONG_VERSION_NUMBER',
    'CERT_HAS_EXPIRED',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'SELF_SIGNED_CERT_IN_CHAIN',
  ])('classifies a failed connection with code %s as network: Dataverse could not be reached', (code) => {
    expect(classifyDataverseError(Object.assign(new Error('x'), { code }))).toMatchObject({ code: 'network', message: 'Dataverse could not be reached.' });
  });

  it.each(['XERR_TLS_', 'EXCERT_HAS_EXPIRED', 'ECONNRESETX', 'ERR_INVALID_ARG_TYPE'])(
    'classifies an error with code %s, which is no network failure, as internal',
    (code) => {
      expect(classifyDataverseError(Object.assign(new Error('x'), { code }))).toMatchObject({
        code: 'internal',
        message: 'The Dataverse request failed inside the hook or its client library.',
      });
    },
  );

  it('keeps a Dataverse error code in lower case, and only one of exactly 8 hex digits after 0x', () => {
    expect(classifyDataverseError(httpError(403, { code: '0X8007256A' })).dataverseCode).toBe('0x8007256a');
    expect(classifyDataverseError(httpError(403, { code: '0x800725601' })).dataverseCode).toBeUndefined();
    expect(classifyDataverseError(httpError(403, { code: 'x0x80072560' })).dataverseCode).toBeUndefined();
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a code that is a list', Object.assign(new Error('x'), { code: ['CERT_HAS_EXPIRED'] })],
  ])('classifies %s, which is neither an answer nor a network failure, as internal at the dataverse stage', (_label, error) => {
    const failure = classifyDataverseError(error);
    expect(failure).toMatchObject({ code: 'internal', stage: 'dataverse', message: 'The Dataverse request failed inside the hook or its client library.' });
    expect(failure.cause).toBe(error);
  });

  it('keeps no Dataverse error code that is not a string', () => {
    expect(classifyDataverseError(httpError(403, { code: ['0x80072560'] })).dataverseCode).toBeUndefined();
  });

  it('says a 429 is throttling, with the fixed message', () => {
    expect(classifyDataverseError(httpError(429))).toMatchObject({ code: 'throttled', status: 429, message: 'Dataverse throttled the request.' });
  });

  it('prefers the 401_error_reason header to WWW-Authenticate for the reason of a 401', () => {
    const headers = { '401_error_reason': 'IDX10214: Audience validation failed', 'www-authenticate': 'Bearer error="invalid_token"' };
    expect(classifyDataverseError(httpError(401, { headers }))).toMatchObject({
      code: 'auth',
      message: 'Dataverse refused the access token.',
      diagnostic: 'IDX10214: Audience validation failed (token for another environment)',
    });
    expect(classifyDataverseError(httpError(401, { headers: { '401_error_reason': 'IDX10223: Lifetime validation failed' } })).diagnostic).toBe(
      'IDX10223: Lifetime validation failed (token expired)',
    );
  });

  it('gives a 401 without a reason header, or with an empty one, no diagnostic', () => {
    expect(classifyDataverseError(httpError(401)).diagnostic).toBeUndefined();
    expect(classifyDataverseError(httpError(401, { headers: { 'www-authenticate': '' } })).diagnostic).toBeUndefined();
    expect(classifyDataverseError(httpError(401, { headers: null })).diagnostic).toBeUndefined();
  });

  it('passes a HookError through unchanged', () => {
    const original = new HookError('auth', 'Entra refused the token request.', { stage: 'token', aadsts: 7000215 });
    expect(classifyDataverseError(original)).toBe(original);
  });
});

describe('retryAfterMsOf', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reads an HTTP date as the time from now until then, and a date already past as no wait', () => {
    vi.useFakeTimers({ now: new Date('2026-11-30T05:00:00Z') });
    expect(retryAfterMsOf('Mon, 30 Nov 2026 05:01:00 GMT')).toBe(60_000);
    expect(retryAfterMsOf('Mon, 30 Nov 2026 04:59:00 GMT')).toBe(0);
  });

  it('accepts seconds and HTTP dates, and nothing else', () => {
    expect(retryAfterMsOf('2')).toBe(2000);
    expect(retryAfterMsOf('0.5')).toBe(500);
    expect(retryAfterMsOf('0')).toBe(0);
    // Never a negative wait: "-5" is not seconds, and read as a date it is long past.
    expect(retryAfterMsOf('-5')).toBe(0);
    expect(retryAfterMsOf(new Date(Date.now() + 60_000).toUTCString())).toBeGreaterThan(50_000);
    expect(retryAfterMsOf('   ')).toBeUndefined();
    expect(retryAfterMsOf(17)).toBeUndefined();
    expect(retryAfterMsOf('soon')).toBeUndefined();
    expect(retryAfterMsOf(undefined)).toBeUndefined();
    expect(retryAfterMsOf('')).toBeUndefined();
  });
});

describe('isContactId', () => {
  it('takes only a string in GUID form, not a list holding one', () => {
    expect(isContactId('0f8fad5b-d9cb-469f-a165-70867728950e')).toBe(true);
    expect(isContactId(['0f8fad5b-d9cb-469f-a165-70867728950e'])).toBe(false);
  });
});

describe('lookupColumns', () => {
  it('selects the key, the ordering column and each enrich column once', () => {
    const config = parseResolvedConfig({
      ...BASE_CONFIG,
      enrich: { 'name.givenName': 'firstname', 'name.middleName': 'firstname', 'custom.changed': 'modifiedon' },
    });
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

describe('findContactsByEmail over HTTP (nock)', () => {
  const config = parseResolvedConfig(BASE_CONFIG);
  const ADA = '0f8fad5b-d9cb-469f-a165-70867728950e';
  const lookup = (cfg: ResolvedConfig = config) =>
    findContactsByEmail(createDataverseClient(cfg.dataverse), cfg, {
      email: 'ada.lovelace@example.com',
      token: 'fixture-token',
      signal: AbortSignal.timeout(5000),
    }).catch((error: unknown) => error);
  const answer = (body: unknown) =>
    nock(ORG)
      .get(`${API}/contacts`)
      .query(true)
      .reply(200, body as nock.Body, JSON_HEADERS);

  it('asks for the two most recently modified matches: $orderby=modifiedon desc and $top=2, with the lookup columns and the token', async () => {
    // With $top=2 and no $orderby, "allow most recent" would pick among any two of three matches.
    const scope = nock(ORG)
      .matchHeader('authorization', 'Bearer fixture-token')
      .get(`${API}/contacts`)
      .query({
        $select: 'contactid,modifiedon,firstname,lastname,mobilephone',
        $filter: "emailaddress1 eq 'ada.lovelace@example.com' and statecode eq 0",
        $orderby: 'modifiedon desc',
        $top: '2',
      })
      .reply(200, readFixture('contacts-one.json') as nock.Body, JSON_HEADERS);
    expect(await lookup()).toMatchObject([{ contactid: ADA }]);
    scope.done();
  });

  it('sends the request to the configured Web API version', async () => {
    const scope = nock(ORG)
      .get('/api/data/v9.1/contacts')
      .query(true)
      .reply(200, readFixture('contacts-none.json') as nock.Body, JSON_HEADERS);
    expect(await lookup(parseResolvedConfig({ ...BASE_CONFIG, dataverse: { url: ORG, apiVersion: '9.1' } }))).toEqual([]);
    scope.done();
  });

  it('reads a modifiedon that dynamics-web-api leaves a string (fractional seconds, an offset) as that instant', async () => {
    answer({ value: [{ contactid: ADA, modifiedon: '2026-10-01T09:30:00.5+02:00' }] });
    expect(await lookup()).toEqual([{ contactid: ADA, modifiedon: new Date('2026-10-01T07:30:00.500Z') }]);
  });

  it.each([
    ['a contact id that is not a GUID', { value: [{ contactid: `x)/y(${ADA}`, modifiedon: '2026-10-01T09:30:00Z' }] }],
    ['a contact without modifiedon', { value: [{ contactid: ADA }] }],
    ['a modifiedon that is not a date', { value: [{ contactid: ADA, modifiedon: 'yesterday' }] }],
    ['no value', { '@odata.context': `${ORG}${API}/$metadata#contacts` }],
    ['a value that is not a list', { value: { contactid: ADA, modifiedon: '2026-10-01T09:30:00Z' } }],
  ])('refuses a 2xx with %s as a response of an unexpected shape', async (_label, body) => {
    answer(body);
    expect(await lookup()).toMatchObject({ code: 'bad_response', stage: 'dataverse', message: 'Dataverse returned a response of an unexpected shape.' });
  });
});

describe('updateContact and createContact over HTTP (nock)', () => {
  const config = parseResolvedConfig(BASE_CONFIG);
  const client = () => createDataverseClient(config.dataverse);
  const ADA = '0f8fad5b-d9cb-469f-a165-70867728950e';
  // A fresh signal per request: one made when the file is collected could run out before the test.
  const write = () => ({ data: { firstname: 'Ada' }, token: 'fixture-token', signal: AbortSignal.timeout(5000) });

  it('updates with PATCH contacts(<id>) and If-Match: *, and resolves on 204', async () => {
    const scope = nock(ORG).matchHeader('if-match', '*').patch(`${API}/contacts(${ADA})`, { firstname: 'Ada' }).reply(204);
    await expect(updateContact(client(), { ...write(), contactId: ADA })).resolves.toBeUndefined();
    scope.done();
  });

  it('refuses to put a contact id that is not a GUID into the request path, and sends nothing', async () => {
    // dynamics-web-api puts the key into the path unencoded: `x)/y(<guid>` would address another resource.
    const failure = await updateContact(client(), { ...write(), contactId: `x)/y(${ADA}` }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'bad_response', stage: 'dataverse', message: 'The contact id is not a GUID.' });
  });

  it('takes a 412 (the contact changed or is gone under If-Match) as a failed write, not a success', async () => {
    nock(ORG)
      .patch(`${API}/contacts(${ADA})`)
      .reply(412, { error: { code: '0x80060882', message: 'precondition failed' } }, JSON_HEADERS);
    const failure = await updateContact(client(), { ...write(), contactId: ADA }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'bad_response', stage: 'dataverse', status: 412, message: 'Dataverse answered with an unexpected status.' });
  });

  it('takes a 2xx with a body, where an update answers 204, as a response of an unexpected shape', async () => {
    nock(ORG).patch(`${API}/contacts(${ADA})`).reply(200, { contactid: ADA }, JSON_HEADERS);
    const failure = await updateContact(client(), { ...write(), contactId: ADA }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'bad_response', stage: 'dataverse', message: 'Dataverse returned a response of an unexpected shape.' });
  });

  const NEW_ID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';

  it('sends the contact id it was given and returns the id of the created contact from OData-EntityId', async () => {
    const created = readFixture('dataverse-create-204.json') as { status: number; headers: Record<string, string> };
    const scope = nock(ORG).post(`${API}/contacts`, { firstname: 'Ada', contactid: NEW_ID }).reply(created.status, '', created.headers);
    expect(await createContact(client(), { ...write(), contactId: NEW_ID })).toEqual({ outcome: 'created', contactId: NEW_ID });
    scope.done();
  });

  it.each([412, 400])('reads a create refused as a duplicate key (%i, 0x80040237) as a contact that exists, not as a failure', async (status) => {
    const scope = nock(ORG)
      .post(`${API}/contacts`)
      .reply(status, { error: { code: '0x80040237', message: 'A record with matching key values already exists.' } }, JSON_HEADERS);
    expect(await createContact(client(), { ...write(), contactId: NEW_ID })).toEqual({ outcome: 'exists', contactId: NEW_ID });
    scope.done();
  });

  it('takes any other 412 on a create as a failed write', async () => {
    nock(ORG)
      .post(`${API}/contacts`)
      .reply(412, { error: { code: '0x80060882', message: 'precondition failed' } }, JSON_HEADERS);
    const failure = await createContact(client(), { ...write(), contactId: NEW_ID }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'bad_response', stage: 'dataverse', status: 412, message: 'Dataverse answered with an unexpected status.' });
  });

  it('reads one contact by id with only the columns asked for', async () => {
    const scope = nock(ORG)
      .get(`${API}/contacts(${ADA})`)
      .query({ $select: 'contactid,firstname,lastname' })
      .reply(200, { '@odata.etag': 'W/"1"', contactid: ADA, firstname: null, lastname: 'Lovelace' }, JSON_HEADERS);
    expect(
      await readContact(client(), { contactId: ADA, columns: ['firstname', 'lastname'], token: 'AT', signal: new AbortController().signal }),
    ).toMatchObject({
      contactid: ADA,
      firstname: null,
      lastname: 'Lovelace',
    });
    scope.done();
  });

  it('takes a 404 on a read by id as not_found', async () => {
    nock(ORG)
      .get(`${API}/contacts(${ADA})`)
      .query(true)
      .reply(404, readFixture('dataverse-404-contact.json') as nock.Body, JSON_HEADERS);
    const failure = await readContact(client(), { contactId: ADA, columns: ['firstname'], token: 'AT', signal: new AbortController().signal }).catch(
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: 'not_found', stage: 'dataverse', status: 404 });
  });

  it.each([
    // dynamics-web-api takes 32 hex digits without dashes for an id; our GUID check (and Dataverse's form) has the dashes.
    ['an id without dashes', { 'OData-EntityId': `${ORG}${API}/contacts(3f2504e04f8941d39a0c0305e82c3301)` }],
    ['no OData-EntityId', { 'OData-Version': '4.0' }],
  ])('refuses a create answered with %s: the id is not a GUID', async (_label, headers) => {
    nock(ORG).post(`${API}/contacts`).reply(204, '', headers);
    const failure = await createContact(client(), { ...write(), contactId: NEW_ID }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'bad_response', stage: 'dataverse', message: 'Dataverse did not return the id of the created contact.' });
  });
});
