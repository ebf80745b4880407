/**
 * The BUILT post-registration hook, loaded as Strivacity loads it (a fresh CommonJS module scope
 * with the runtime's result classes as globals), driven with recorded Entra and Dataverse responses.
 */
import nock from 'nock';
import { describe, expect, it, vi } from 'vitest';
import { contactIdFor } from '../../src/hook/contact-id.js';
import { MAX_HOOK_CHARACTERS, RUNTIME_PACKAGES } from '../../src/build/artifact.js';
import { buildHook } from '../../src/build/build-hook.js';
import type { ConfigInput } from '../../src/hook/config.js';
import { type BuiltHookFunction, loadBuiltHook } from '../../src/harness/load-hook.js';
import { linkHash } from '../../src/hook/link.js';
import { readFixture } from '../../src/harness/stand-in.js';
import { API, BASE_CONFIG, JSON_HEADERS, mockToken, ORG, SECRET, TENANT, useBuiltHooks } from '../support/helpers.js';

const ADA_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const CREATED_ID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const CONFIG = { ...BASE_CONFIG, sync: { createIfMissing: true } } satisfies ConfigInput;

type Recorded = { status: number; headers?: Record<string, string> };

const builds = new Map<string, string>();
async function codeFor(config: ConfigInput): Promise<string> {
  const key = JSON.stringify(config);
  if (!builds.has(key)) builds.set(key, (await buildHook('post-registration', config)).code);
  return builds.get(key) as string;
}

const builtHooks = useBuiltHooks();
async function load(config: ConfigInput = CONFIG): Promise<BuiltHookFunction> {
  const { hook, unload } = loadBuiltHook(await codeFor(config));
  builtHooks.track(unload);
  return hook;
}

function payload(email: string, contactId?: string): Record<string, unknown> {
  return {
    application: { name: 'Brand Web', client_id: 'brand-web' },
    oidc_context: { acr_values: [], ui_locales: ['en'] },
    customer: { attributes: { emails: { primaryEmail: email }, name: { givenName: 'Alan', familyName: 'Turing' } }, identifiers: {}, consents: [] },
    // Linked as the pre-registration hook links a contact it matched for this email.
    session: contactId === undefined ? {} : { dynamics: { contactId, linkHash: linkHash(TENANT, contactId, email) } },
  };
}

/** Runs the built hook as Strivacity would: `({...}, callback)`; returns the callback's argument lists and the parsed log lines. */
async function drive(hook: BuiltHookFunction, args: unknown): Promise<{ calls: unknown[][]; logs: Array<Record<string, unknown>> }> {
  const printed: string[] = [];
  const spies = [vi.spyOn(console, 'log'), vi.spyOn(console, 'error')].map((spy) => spy.mockImplementation((text: unknown) => void printed.push(String(text))));
  const calls: unknown[][] = [];
  try {
    await expect(hook(args, (...callArgs: unknown[]) => calls.push(callArgs), undefined)).resolves.toBeUndefined();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return { calls, logs: printed.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('the built post-registration hook', () => {
  it('is built from the same config as the pre-registration hook, within the console limit, requiring only its declared packages', async () => {
    const pre = await buildHook('pre-registration', CONFIG);
    const post = await buildHook('post-registration', CONFIG);

    expect(post.packageDependencies).toEqual(pre.packageDependencies);
    expect(post.code).toContain('Strivacity post-registration hook');
    expect(post.code.length).toBeLessThan(MAX_HOOK_CHARACTERS);
    const required = new Set([...post.code.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]));
    for (const name of required)
      expect([...RUNTIME_PACKAGES, 'node:crypto', 'node:async_hooks', 'node:module', 'crypto', 'async_hooks', 'module']).toContain(name);
    expect(post.code).not.toContain(SECRET);
  });

  it('updates the linked contact with If-Match: * and calls back once with no argument', async () => {
    const token = mockToken();
    const bodies: unknown[] = [];
    // fillEmpty (the default) reads the linked contact's sync columns first: here they are empty, so both are written.
    const update = nock(ORG)
      .get(`${API}/contacts(${ADA_ID})`)
      .query({ $select: 'contactid,firstname,lastname' })
      .reply(200, { '@odata.etag': 'W/"1"', contactid: ADA_ID, firstname: null, lastname: null }, JSON_HEADERS)
      .patch(`${API}/contacts(${ADA_ID})`, (body) => bodies.push(body) > 0)
      .matchHeader('if-match', '*')
      .reply(204, '', (readFixture('dataverse-update-204.json') as Recorded).headers ?? {});
    const hook = await load();

    const { calls, logs } = await drive(hook, payload('ada.lovelace@example.com', ADA_ID));

    expect(calls).toEqual([[]]);
    expect(bodies).toEqual([{ firstname: 'Alan', lastname: 'Turing' }]);
    token.done();
    update.done();
    expect(logs).toEqual([
      expect.objectContaining({
        level: 'info',
        event: 'registration.synced',
        hook: 'post-registration',
        outcome: 'updated',
        reason: 'session_contact',
        columnsWritten: ['firstname', 'lastname'],
        columnsKept: [],
      }),
    ]);
  });

  it('creates a missing contact with the derived contactid, and a second run for the same registration finds it instead of creating another (fillEmpty: it holds every value, so nothing is written)', async () => {
    mockToken();
    const created = readFixture('dataverse-create-204.json') as Recorded;
    const scope = nock(ORG)
      .get(`${API}/contacts`)
      .query(true)
      .reply(200, readFixture('contacts-none.json') as nock.Body, JSON_HEADERS)
      .post(`${API}/contacts`, {
        firstname: 'Alan',
        lastname: 'Turing',
        emailaddress1: 'alan.turing@example.com',
        contactid: contactIdFor(ORG, 'alan.turing@example.com'),
      })
      .reply(created.status, '', created.headers ?? {})
      .get(`${API}/contacts`)
      .query(true)
      .reply(200, readFixture('contacts-created.json') as nock.Body, JSON_HEADERS);
    // Neither a second POST nor a PATCH is mocked: either would fail the second run.
    const hook = await load();

    const first = await drive(hook, payload('alan.turing@example.com'));
    const second = await drive(hook, payload('alan.turing@example.com'));

    expect([first.calls, second.calls]).toEqual([[[]], [[]]]);
    scope.done();
    expect([...first.logs, ...second.logs].map((line) => line['outcome'])).toEqual(['created', 'unchanged']);
    expect(second.logs).toEqual([expect.objectContaining({ outcome: 'unchanged', columnsWritten: [], columnsKept: ['firstname', 'lastname'] })]);
    expect(CREATED_ID).toBe((readFixture('contacts-created.json') as { value: Array<{ contactid: string }> }).value[0]?.contactid);
  });

  it('swallows a Dataverse outage: calls back once and logs the failure class without personal data', async () => {
    mockToken();
    const lookups = nock(ORG)
      .get(`${API}/contacts`)
      .query(true)
      .times(3)
      .reply(503, readFixture('dataverse-500.json') as nock.Body, JSON_HEADERS);
    const hook = await load();

    const { calls, logs } = await drive(hook, payload('alan.turing@example.com'));

    expect(calls).toEqual([[]]);
    lookups.done();
    expect(logs).toEqual([expect.objectContaining({ level: 'error', outcome: 'failed', failure: 'server', status: 503, attempts: 3 })]);
    expect(JSON.stringify(logs)).not.toMatch(/alan|turing/i);
  });

  it('swallows an Entra refusal of the client secret (AADSTS7000215)', async () => {
    // The built hook asks for a token when it loads; the registration shares that request if it is
    // still in flight, or asks again: one or two requests, both refused.
    const entra = readFixture('entra-aadsts7000215.json') as { status: number; body: unknown };
    let tokenRequests = 0;
    nock('https://login.microsoftonline.com')
      .persist()
      .post(`/${TENANT}/oauth2/v2.0/token`)
      .query(true)
      .reply(() => {
        tokenRequests += 1;
        return [entra.status, entra.body as nock.Body];
      });
    const hook = await load();

    const { calls, logs } = await drive(hook, payload('alan.turing@example.com', ADA_ID));

    expect(calls).toEqual([[]]);
    expect(tokenRequests).toBeGreaterThanOrEqual(1);
    // The refused pre-fetch at load may log its own error line too, depending on timing.
    expect(logs.filter((line) => line['event'] === 'registration.synced')).toEqual([
      expect.objectContaining({ level: 'error', outcome: 'failed', failure: 'auth', stage: 'token', aadsts: 7000215 }),
    ]);
    expect(JSON.stringify(logs)).not.toContain(SECRET);
  });
});
