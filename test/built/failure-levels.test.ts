/**
 * Failures are never invisible (issue 9, break 5), through the BUILT pre-registration file: a
 * registration decided because of a token, Dataverse, timeout or config failure is logged at
 * `error`, so even `logLevel: "error"` keeps a line for an outage; ordinary decisions stay `info`.
 */
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/hook/config.js';
import { registrationPayload } from '../../src/harness/run-hook.js';
import { readFixture } from '../../src/harness/stand-in.js';
import { API, BASE_CONFIG, callHook, configWith, mockContacts, mockToken, ORG, SECRET, useBuiltHooks, loadBuilt, capturePrinted } from '../support/helpers.js';

const builtHooks = useBuiltHooks();
const load = (config: ConfigInput) => loadBuilt(builtHooks, 'pre-registration', config);
const output = capturePrinted();
const lines = output.lines;
const decided = () => lines().filter((line) => line['event'] === 'registration.decided');

/** Only errors are written: what an administrator who turned the log down still sees. */
const ERRORS_ONLY = configWith({ logLevel: 'error', policy: { timeoutMs: 600 } });

describe('the built pre-registration hook at logLevel "error"', () => {
  it('still logs a Dataverse outage (500), with its failure class', async () => {
    mockToken();
    nock(ORG)
      .get(`${API}/contacts`)
      .query(true)
      .times(3)
      .reply(500, { error: { code: '0x80040216', message: 'SQL timeout' } });

    await callHook(await load(ERRORS_ONLY), registrationPayload('ada.lovelace@example.com'));

    expect(decided()).toEqual([expect.objectContaining({ level: 'error', outcome: 'showError', reason: 'lookup_failed', failure: 'server', status: 500 })]);
  });

  it('still logs a Dataverse that does not answer (timeout)', async () => {
    mockToken();
    nock(ORG).get(`${API}/contacts`).query(true).delay(5000).reply(200, {});

    await callHook(await load(ERRORS_ONLY), registrationPayload('ada.lovelace@example.com'));

    expect(decided()).toEqual([expect.objectContaining({ level: 'error', reason: 'lookup_failed', failure: 'timeout' })]);
  });

  it('still logs an Entra refusal of the client secret (AADSTS7000215)', async () => {
    const refusal = readFixture('entra-aadsts7000215.json') as { status: number; body: unknown };
    nock('https://login.microsoftonline.com')
      .persist()
      .post(/oauth2\/v2.0\/token/)
      .query(true)
      .reply(refusal.status, refusal.body as nock.Body);

    await callHook(await load(ERRORS_ONLY), registrationPayload('ada.lovelace@example.com'));

    expect(decided()).toEqual([expect.objectContaining({ level: 'error', reason: 'lookup_failed', failure: 'auth', stage: 'token', aadsts: 7000215 })]);
    expect(output.printed().join('\n')).not.toContain(SECRET);
  });

  it('logs at load that the secret variable is not set, naming the variable', async () => {
    const unset = { ...ERRORS_ONLY, auth: { ...BASE_CONFIG.auth, clientSecretVariable: 'UNSET_DYNAMICS_SECRET' } };

    await load(unset);

    expect(lines()).toContainEqual(
      expect.objectContaining({
        level: 'error',
        event: 'hook.credential_unavailable',
        failure: 'config',
        diagnostic: 'variable UNSET_DYNAMICS_SECRET is not set',
      }),
    );
  });

  it('writes nothing for an ordinary decision, which stays at info', async () => {
    mockToken();
    mockContacts('contacts-none.json');

    const { calls } = await callHook(await load(ERRORS_ONLY), registrationPayload('new.person@example.com'));

    expect(calls).toHaveLength(1);
    expect(output.printed()).toEqual([]);
    mockToken();
    mockContacts('contacts-none.json');
    await callHook(await load(BASE_CONFIG), registrationPayload('new.person@example.com'));
    expect(decided()).toEqual([expect.objectContaining({ level: 'info', reason: 'not_found' })]);
  });
});
