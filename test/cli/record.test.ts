/**
 * `record` against a local stand-in: a real HTTP server on 127.0.0.1 playing Entra's token endpoint
 * and Dataverse (nock's recorder only sees real exchanges: while it records, mocks are off). The
 * server answers with everything a live environment would leak: a real-looking token, cookies,
 * request ids, the real host in `@odata.context`, names, phones and emails.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamicsWebApi } from 'dynamics-web-api';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPreRegistrationHook } from '../../src/hook/kinds/pre-registration/hook.js';
import { recordCommand, writeRecordings } from '../../src/cli/commands/record/command.js';
import { recordLookups, type RecordOptions } from '../../src/cli/commands/record/record.js';
import {
  PLACEHOLDER_CLIENT_ID,
  PLACEHOLDER_DATAVERSE_URL,
  PLACEHOLDER_TENANT_ID,
  SCRUBBED_ACCESS_TOKEN,
  Scrubber,
} from '../../src/cli/commands/record/scrub.js';
import { prepareForReplay } from '../../src/cli/commands/record/replay.js';
import { callHook } from '../support/helpers.js';

const REAL_TENANT = 'a1b2c3d4-1111-4aaa-8bbb-0123456789ab';
const REAL_CLIENT = 'b2c3d4e5-2222-4bbb-8ccc-123456789abc';
const REAL_ORG = 'https://realcorp-prod.crm4.dynamics.com';
const REAL_SECRET = 'Qx8~real.secret.value_ZZ';
const REAL_TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.REAL-LIVE-TOKEN.c2lnbmF0dXJlLXJlYWw';
const REAL_CONTACT = 'c0ffee00-1234-4567-89ab-cdef01234567';
const JANE = 'jane.doe@realcorp.example.org';
const UNKNOWN = "o'neil@realcorp.example.org";
const LEAKS = [
  REAL_TENANT,
  REAL_CLIENT,
  'realcorp',
  REAL_SECRET,
  REAL_TOKEN,
  REAL_CONTACT,
  'Jane',
  'Doe',
  '7700 900123',
  '1984-02-29',
  'ARRAffinity',
  'req-7f3a',
  'svc-9e2b',
  'client_secret',
  'client_assertion',
  '127.0.0.1',
  'neil',
];

let server: Server;
let base = '';
const received: string[] = [];
/** What the stand-in's Dataverse answers a lookup with; each test that changes it is reset after. */
let dataverseReply: 'contacts' | 'no-application-user' | 'wrong-audience' = 'contacts';
let tokenDelayMs = 0;

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push(`${request.method} ${request.url} ${body}`);
      response.setHeader('set-cookie', 'ARRAffinity=f00d; path=/; secure; HttpOnly');
      response.setHeader('req_id', 'req-7f3a');
      response.setHeader('x-ms-service-request-id', 'svc-9e2b');
      response.setHeader('content-type', 'application/json; odata.metadata=minimal');
      response.setHeader('odata-version', '4.0');
      if (request.url?.includes('/oauth2/v2.0/token') === true) {
        setTimeout(
          () => response.end(JSON.stringify({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: REAL_TOKEN })),
          tokenDelayMs,
        );
        return;
      }
      if (dataverseReply === 'no-application-user') {
        response.statusCode = 403;
        response.end(readFileSync(new URL('../../src/harness/recorded/dataverse-403-no-application-user.json', import.meta.url)));
        return;
      }
      if (dataverseReply === 'wrong-audience') {
        // Dataverse names the tenant and the environment it expected, in a header the scrubber keeps.
        response.statusCode = 401;
        response.setHeader(
          'www-authenticate',
          `Bearer authorization_uri=https://login.microsoftonline.com/${REAL_TENANT}/oauth2/authorize, resource_id=${REAL_ORG}/`,
        );
        response.end();
        return;
      }
      const filter = new URL(request.url ?? '', 'http://x').searchParams.get('$filter') ?? '';
      const value = filter.includes('jane.doe')
        ? [
            {
              '@odata.etag': 'W/"1234"',
              contactid: REAL_CONTACT,
              modifiedon: '2026-10-01T09:30:00Z',
              firstname: 'Jane',
              lastname: 'Doe',
              mobilephone: '+44 7700 900123',
              emailaddress1: JANE,
              birthdate: '1984-02-29',
            },
          ]
        : [];
      response.end(
        JSON.stringify({ '@odata.context': `${REAL_ORG}/api/data/v9.2/$metadata#contacts(contactid,modifiedon,firstname,lastname,mobilephone)`, value }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

afterEach(() => {
  nock.disableNetConnect();
  dataverseReply = 'contacts';
  tokenDelayMs = 0;
});

const REAL_CONFIG = {
  dataverse: { url: REAL_ORG },
  auth: { tenantId: REAL_TENANT, clientId: REAL_CLIENT, clientSecretVariable: 'DYNAMICS_CLIENT_SECRET' },
  enrich: { 'name.givenName': 'firstname', 'name.familyName': 'lastname', 'phoneNumbers.primaryPhoneNumber': 'mobilephone' },
};

/** The transports of `record`, pointed at the stand-in. */
function standInSeams(): Pick<RecordOptions, 'readSecret' | 'fetch' | 'createClient'> {
  nock.enableNetConnect('127.0.0.1');
  return {
    readSecret: (name) => (name === 'DYNAMICS_CLIENT_SECRET' ? REAL_SECRET : undefined),
    // Entra's host is sent to the stand-in; the recorder sees the exchange with 127.0.0.1.
    fetch: (input, init) => globalThis.fetch(String(input).replace('https://login.microsoftonline.com', base), init),
    createClient: (environment) => new DynamicsWebApi({ serverUrl: base, dataApi: { version: environment.apiVersion } }),
  };
}

async function recordAgainstStandIn(rawConfig: unknown = REAL_CONFIG) {
  return recordLookups({ ...standInSeams(), rawConfig, emails: [JANE, UNKNOWN] });
}

/** `record` as the command line runs it: the files it wrote, what it printed, its exit code. */
async function runRecordCommand(): Promise<{ exitCode: number; printed: string; written: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'record-cli-'));
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify(REAL_CONFIG));
  const out = join(dir, 'out');
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => lines.push(parts.map(String).join(' ')));
  const { exitCode } = await recordCommand(['--config', config, '--email', JANE, '--out', out], standInSeams());
  const written = readdirSync(out)
    .map((file) => readFileSync(join(out, file), 'utf8'))
    .join('\n');
  return { exitCode, printed: lines.join('\n'), written, dir: out };
}

describe('record', () => {
  it('records the token exchange and each lookup, really sent to the stand-in', async () => {
    received.length = 0;
    const lookups = await recordAgainstStandIn();
    expect(received.filter((line) => line.startsWith('POST'))).toHaveLength(1);
    expect(received.filter((line) => line.startsWith('GET'))).toHaveLength(2);
    expect(received[0]).toContain(`client_secret=${encodeURIComponent(REAL_SECRET)}`);
    expect(lookups.map((lookup) => [lookup.index, lookup.fakeEmail, lookup.outcome])).toEqual([
      [1, 'person1@example.com', { matches: 1 }],
      [2, 'person2@example.com', { matches: 0 }],
    ]);
    // Each file stands alone: the cached token's exchange is repeated in the second.
    expect(lookups.map((lookup) => lookup.definitions.map((d) => `${d.method} ${d.scope}${d.path.split('?')[0]}`))).toEqual([
      [`POST https://login.microsoftonline.com/${PLACEHOLDER_TENANT_ID}/oauth2/v2.0/token`, `GET ${PLACEHOLDER_DATAVERSE_URL}/api/data/v9.2/contacts`],
      [`POST https://login.microsoftonline.com/${PLACEHOLDER_TENANT_ID}/oauth2/v2.0/token`, `GET ${PLACEHOLDER_DATAVERSE_URL}/api/data/v9.2/contacts`],
    ]);
  });

  it('scrubs tokens, secrets, cookies, request ids, hosts, ids and personal data before writing', async () => {
    const lookups = await recordAgainstStandIn();
    const dir = mkdtempSync(join(tmpdir(), 'record-'));
    const files = writeRecordings(dir, lookups);
    const written = files.map((file) => readFileSync(file, 'utf8')).join('\n');
    for (const leak of LEAKS) expect(written.toLowerCase(), leak).not.toContain(leak.toLowerCase());
    const [token, contacts] = lookups[0]?.definitions ?? [];
    expect(token).toEqual({
      scope: 'https://login.microsoftonline.com',
      method: 'POST',
      path: `/${PLACEHOLDER_TENANT_ID}/oauth2/v2.0/token`,
      status: 200,
      response: { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: SCRUBBED_ACCESS_TOKEN },
      rawHeaders: { 'content-type': 'application/json; odata.metadata=minimal', 'odata-version': '4.0' },
    });
    expect(contacts?.path).toContain(`$filter=${encodeURIComponent("emailaddress1 eq 'person1@example.com' and statecode eq 0")}`);
    expect(contacts?.response).toEqual({
      '@odata.context': `${PLACEHOLDER_DATAVERSE_URL}/api/data/v9.2/$metadata#contacts(contactid,modifiedon,firstname,lastname,mobilephone)`,
      value: [
        {
          '@odata.etag': 'W/"1234"',
          contactid: '00000000-0000-4000-8000-000000000001',
          modifiedon: '2026-10-01T09:30:00Z',
          firstname: 'Firstname 1',
          lastname: 'Lastname 2',
          mobilephone: '+1 555 0103',
          emailaddress1: 'person1@example.com',
          birthdate: '1970-01-01',
        },
      ],
    });
    expect(JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'))).toEqual([
      { file: 'lookup-1.json', email: 'person1@example.com', outcome: { matches: 1 } },
      { file: 'lookup-2.json', email: 'person2@example.com', outcome: { matches: 0 } },
    ]);
  });

  it('records a lookup Dataverse refused (403 0x80072560): codes in the files, the cause on the console', async () => {
    dataverseReply = 'no-application-user';
    const { exitCode, printed, written, dir } = await runRecordCommand();
    expect(exitCode).toBe(1);
    for (const leak of LEAKS) expect(written.toLowerCase(), leak).not.toContain(leak.toLowerCase());
    expect(JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'))).toEqual([
      { file: 'lookup-1.json', email: 'person1@example.com', outcome: { failure: 'forbidden', status: 403, dataverseCode: '0x80072560' } },
    ]);
    expect(JSON.parse(readFileSync(join(dir, 'lookup-1.json'), 'utf8'))).toMatchObject([
      { method: 'POST', status: 200 },
      { method: 'GET', status: 403, response: { error: { code: '0x80072560', message: 'The user is not a member of the organization.' } } },
    ]);
    expect(printed).toContain('j***e@realcorp.example.org -> person1@example.com  lookup-1.json  FAILED forbidden (HTTP 403, 0x80072560)');
    expect(printed).toContain(`cause: The app ${REAL_CLIENT} has no Application User in this environment (0x80072560`);
    expect(printed).toMatch(/fix: {3}Power Platform admin center > .* > \+ New app user/);
    expect(printed).not.toContain(JANE);
  });

  it('records a lookup Dataverse refused (401): the header is scrubbed in the file, its reason shown on the console', async () => {
    dataverseReply = 'wrong-audience';
    const { exitCode, printed, written, dir } = await runRecordCommand();
    expect(exitCode).toBe(1);
    for (const leak of LEAKS) expect(written.toLowerCase(), leak).not.toContain(leak.toLowerCase());
    expect(JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'))).toEqual([
      { file: 'lookup-1.json', email: 'person1@example.com', outcome: { failure: 'auth', status: 401 } },
    ]);
    expect(JSON.parse(readFileSync(join(dir, 'lookup-1.json'), 'utf8'))[1]).toMatchObject({
      status: 401,
      rawHeaders: {
        'www-authenticate': `Bearer authorization_uri=https://login.microsoftonline.com/${PLACEHOLDER_TENANT_ID}/oauth2/authorize, resource_id=${PLACEHOLDER_DATAVERSE_URL}/`,
      },
    });
    expect(printed).toContain('FAILED auth (HTTP 401)');
    // The header's text is never shown (it could carry anything); only a reason from the fixed set.
    expect(printed).toContain('cause: Dataverse refused the token (401): other.');
    expect(printed).not.toContain(REAL_TENANT);
    expect(printed).toMatch(/fix: {3}Check dataverse.url is this environment's URL/);
  });

  it("gives the token request the probe timeout (at least 10 s), not the hook's policy.timeoutMs", async () => {
    tokenDelayMs = 600;
    const lookups = await recordAgainstStandIn({ ...REAL_CONFIG, policy: { timeoutMs: 200 } });
    expect(lookups.map((lookup) => lookup.outcome)).toEqual([{ matches: 1 }, { matches: 0 }]);
  });

  it('an exchange the recorder never sees fails the recording loudly, and nothing is returned', async () => {
    const token = JSON.stringify({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: REAL_TOKEN });
    // Answered without going through the (recorder's) global fetch: the token exchange never arrives.
    const unseen: typeof fetch = () => Promise.resolve(new Response(token, { status: 200, headers: { 'content-type': 'application/json' } }));
    const failure = await recordLookups({ ...standInSeams(), fetch: unseen, rawConfig: REAL_CONFIG, emails: [JANE] }).catch((error: unknown) => error);
    expect(failure).toMatchObject({
      name: 'HookError',
      code: 'bad_response',
      message: "nock's recorder handed over 1 of the 2 exchanges answered; nothing was written.",
    });
  });

  it('refuses an invalid email before sending anything, naming which --email (masked)', async () => {
    received.length = 0;
    const failure = await recordLookups({ ...standInSeams(), rawConfig: REAL_CONFIG, emails: [JANE, 'not an email'] }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'UsageError', message: '--email #2 (n***) is not a valid email address.' });
    expect(received).toEqual([]);
  });

  it('replays offline: the hook decides on the scrubbed recording with the placeholder config', async () => {
    const lookups = await recordAgainstStandIn();
    nock.disableNetConnect();
    nock.define(prepareForReplay(lookups[0]?.definitions ?? []) as nock.Definition[]);
    const hook = createPreRegistrationHook(
      {
        ...REAL_CONFIG,
        dataverse: { url: PLACEHOLDER_DATAVERSE_URL },
        auth: { ...REAL_CONFIG.auth, tenantId: PLACEHOLDER_TENANT_ID, clientId: PLACEHOLDER_CLIENT_ID },
      },
      { readSecret: () => 'any-secret-will-do', logSink: () => undefined, prefetchToken: false },
    );
    const { calls } = await callHook(hook, { customer: { attributes: { emails: { primaryEmail: 'person1@example.com' } } }, session: {} });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.via).toBe('callback');
    expect(calls[0]?.value).toMatchObject({
      attributes: { name: { givenName: 'Firstname 1', familyName: 'Lastname 2' }, phoneNumbers: { primaryPhoneNumber: '+1 555 0103' } },
      session: { dynamics: { contactId: '00000000-0000-4000-8000-000000000001' } },
    });
    expect(nock.pendingMocks()).toEqual([]);
  });
});

describe('Scrubber', () => {
  const scrubber = () => new Scrubber({ realDataverseUrl: REAL_ORG, realTenantId: REAL_TENANT, realClientId: REAL_CLIENT });

  it('keeps an error envelope readable while replacing ids and hosts', () => {
    const [scrubbed] = scrubber().scrub([
      {
        scope: REAL_ORG,
        method: 'GET',
        path: `/api/data/v9.2/contacts?$select=contactid&$filter=${encodeURIComponent(`emailaddress1 eq '${JANE}'`)}`,
        status: 403,
        response: { error: { code: '0x80040220', message: `Principal user (Id=${REAL_CONTACT}, type=8) is missing prvReadContact privilege` } },
        rawHeaders: { 'x-ms-service-request-id': 'svc-9e2b', 'set-cookie': 'ARRAffinity=1', 'content-type': 'application/json' },
      },
    ]);
    expect(scrubbed).toEqual({
      scope: PLACEHOLDER_DATAVERSE_URL,
      method: 'GET',
      path: `/api/data/v9.2/contacts?$select=contactid&$filter=${encodeURIComponent("emailaddress1 eq 'person1@example.com'")}`,
      status: 403,
      response: {
        error: { code: '0x80040220', message: 'Principal user (Id=00000000-0000-4000-8000-000000000001, type=8) is missing prvReadContact privilege' },
      },
      rawHeaders: { 'content-type': 'application/json' },
    });
  });

  it('replaces numbers and flags in records too (a loyalty number), keeping the keys the hook needs', () => {
    const [scrubbed] = scrubber().scrub([
      {
        scope: REAL_ORG,
        method: 'GET',
        path: '/api/data/v9.2/contacts',
        status: 200,
        response: {
          value: [
            {
              contactid: REAL_CONTACT,
              modifiedon: '2026-10-01T09:30:00Z',
              statecode: 0,
              versionnumber: 8812345,
              new_loyaltynumber: 73920154,
              creditlimit: 2500.5,
              donotemail: true,
              new_tier: null,
            },
          ],
        },
      },
    ]);
    expect(scrubbed?.response).toEqual({
      value: [
        {
          contactid: '00000000-0000-4000-8000-000000000001',
          modifiedon: '2026-10-01T09:30:00Z',
          statecode: 0,
          versionnumber: 8812345,
          new_loyaltynumber: 1,
          creditlimit: 2,
          donotemail: false,
          new_tier: null,
        },
      ],
    });
  });

  it('drops the form body of a certificate token request (client_assertion) and Entra trace ids', () => {
    const [scrubbed] = scrubber().scrub([
      {
        scope: 'https://login.microsoftonline.com',
        method: 'POST',
        path: `/${REAL_TENANT}/oauth2/v2.0/token?client-request-id=5f0c2f1e-1111-4222-8333-444455556666`,
        body: 'client_assertion=eyJhbGciOiJQUzI1NiJ9.xyz&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer',
        status: 401,
        response: {
          error: 'invalid_client',
          error_description: `AADSTS7000222: The provided client secret keys for app '${REAL_CLIENT}' are expired. Trace ID: 0b9f5a1e-aaaa-4000-8000-000000000000`,
        },
        rawHeaders: {},
      },
    ]);
    expect(JSON.stringify(scrubbed)).not.toMatch(/client_assertion|0b9f5a1e|5f0c2f1e|a1b2c3d4|b2c3d4e5/);
    expect(scrubbed).toMatchObject({ path: `/${PLACEHOLDER_TENANT_ID}/oauth2/v2.0/token`, status: 401 });
    expect(scrubbed?.body).toBeUndefined();
  });
});
