/**
 * The log scan: registrations and failures run with secrets, tokens and personal data that are
 * easy to spot; none of them may appear in any log line, any console output or any message shown
 * to the person. Failures are chosen so that the upstream error text itself carries the secret or
 * the email (as MSAL's network errors and Dataverse's messages can).
 */
import { generateKeyPairSync } from 'node:crypto';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_MESSAGES } from '../../src/hook/config.js';
import { registrationPayload } from '../../src/harness/run-hook.js';
import { createPreRegistrationHook } from '../../src/hook/kinds/pre-registration/hook.js';
import { readFixture } from '../../src/harness/stand-in.js';
import { API, callHook, captureLog, configWith, JSON_HEADERS, ORG, SECRET, TENANT } from '../support/helpers.js';

const ACCESS_TOKEN = 'eyJ0eXAiOiJKV1QifQ.SPOT-ME-ACCESS-TOKEN.c2ln';
const EMAIL = 'Ada.Lovelace+spotme@example.com';
const CONTACT = {
  contactid: '0f8fad5b-d9cb-469f-a165-70867728950e',
  modifiedon: '2026-10-01T09:30:00Z',
  firstname: 'Adalind',
  lastname: 'Lovelacey-Spotme',
  mobilephone: '+44 20 7946 0999',
};
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE_KEY_PEM = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

/** Everything that must never be written anywhere. */
const FORBIDDEN = [
  SECRET,
  ACCESS_TOKEN,
  'SPOT-ME-ACCESS-TOKEN',
  EMAIL,
  EMAIL.toLowerCase(),
  'spotme@example',
  CONTACT.firstname,
  CONTACT.lastname,
  CONTACT.mobilephone,
  PRIVATE_KEY_PEM.split('\n')[1] as string,
];

const entra = () => nock('https://login.microsoftonline.com').post(`/${TENANT}/oauth2/v2.0/token`).query(true);
const contacts = () => nock(ORG).get(`${API}/contacts`).query(true);
/** Client assertions MSAL signed with the private key (certificate scenario): never to be written either. */
const assertions: string[] = [];
const tokenOk = () => entra().reply(200, { token_type: 'Bearer', expires_in: 3599, access_token: ACCESS_TOKEN });

interface Scenario {
  readonly name: string;
  readonly arrange: () => void;
  readonly certificate?: boolean;
  readonly email?: unknown;
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'a known customer, enriched', arrange: () => (tokenOk(), contacts().reply(200, { value: [CONTACT] }, JSON_HEADERS)) },
  { name: 'no contact', arrange: () => (tokenOk(), contacts().reply(200, readFixture('contacts-none.json') as nock.Body, JSON_HEADERS)) },
  {
    name: 'two contacts',
    arrange: () => (tokenOk(), contacts().reply(200, { value: [CONTACT, { ...CONTACT, contactid: '16fd2706-8baf-433b-82eb-8c7fada847da' }] }, JSON_HEADERS)),
  },
  { name: 'an invalid email', arrange: () => tokenOk(), email: `${SECRET} <${EMAIL}>` },
  {
    name: 'Entra echoing the secret in its error',
    arrange: () =>
      entra()
        .times(2)
        .reply(401, { error: 'invalid_client', error_description: `AADSTS7000215: Invalid client secret provided: ${SECRET}`, error_codes: [7000215] }),
  },
  {
    // nock's "no match" error carries the whole form body, client_secret included; MSAL would wrap
    // that message into its own network error.
    name: 'the token POST failing with its form body in the error',
    arrange: () => nock('https://login.microsoftonline.com').post('/another-tenant/oauth2/v2.0/token').reply(200, {}),
  },
  {
    name: 'Dataverse 400 quoting the filter',
    arrange: () => (
      tokenOk(),
      contacts().reply(400, { error: { code: '0x80060888', message: `Syntax error at position 22 in 'emailaddress1 eq '${EMAIL}''.` } }, JSON_HEADERS)
    ),
  },
  {
    name: 'Dataverse 403 naming the principal',
    arrange: () => (tokenOk(), contacts().reply(403, readFixture('dataverse-403-missing-privilege.json') as nock.Body, JSON_HEADERS)),
  },
  {
    name: 'a malformed body with personal data in it',
    arrange: () => (tokenOk(), contacts().reply(200, `{"value":[{"emailaddress1":"${EMAIL}","lastname":"${CONTACT.lastname}"`, JSON_HEADERS)),
  },
  {
    name: 'Dataverse 500 with a record in the message',
    arrange: () => (
      tokenOk(),
      contacts()
        .times(3)
        .reply(500, { error: { code: '0x80040216', message: JSON.stringify(CONTACT) } }, JSON_HEADERS)
    ),
  },
  {
    name: 'certificate credentials refused by Entra',
    certificate: true,
    arrange: () =>
      entra()
        .times(2)
        .reply((_uri, body) => {
          const assertion = new URLSearchParams(String(body)).get('client_assertion');
          if (assertion !== null) assertions.push(assertion);
          return [401, (readFixture('entra-aadsts7000215.json') as { body: nock.Body }).body];
        }),
  },
];

describe('nothing secret or personal is ever written', () => {
  let written: string[];
  beforeEach(() => {
    written = [];
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, method).mockImplementation((...parts: unknown[]) => void written.push(parts.map(String).join(' ')));
    }
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each(SCENARIOS)('$name', async (scenario) => {
    scenario.arrange();
    const log = captureLog();
    const auth = scenario.certificate
      ? {
          tenantId: TENANT,
          clientId: '66666666-7777-8888-9999-000000000000',
          clientCertificate: { thumbprintSha256: 'ab'.repeat(32), privateKeyVariable: 'DYNAMICS_CLIENT_KEY' },
        }
      : undefined;
    assertions.length = 0;
    const hook = createPreRegistrationHook(
      { ...configWith({ logLevel: 'debug' }), ...(auth === undefined ? {} : { auth }) },
      {
        readSecret: (name) => (name === 'DYNAMICS_CLIENT_KEY' ? PRIVATE_KEY_PEM : SECRET),
        logSink: log.sink,
      },
    );

    const { calls } = await callHook(hook, registrationPayload(scenario.email ?? EMAIL));
    await new Promise((resolve) => setTimeout(resolve, 20));

    const shown = calls
      .map((call) => call.value as Record<string, unknown>)
      .flatMap((value) => [value['error_message'], value['description']])
      .filter((text): text is string => typeof text === 'string');
    const everything = [...log.lines.map((line) => JSON.stringify(line)), ...written, ...shown].join('\n');
    expect(log.lines.length).toBeGreaterThan(0);
    for (const forbidden of [...FORBIDDEN, ...assertions]) expect(everything).not.toContain(forbidden);
    for (const message of shown) expect(Object.values(DEFAULT_MESSAGES)).toContain(message);
    if (scenario.certificate) expect(assertions.length, JSON.stringify(log.lines)).toBeGreaterThan(0);
  });
});
