/**
 * The link from a registration to its contact (issue 9, break 4), through the BUILT pre- and
 * post-registration files: a session carried from an attempt with another email never leads the
 * post-registration hook to write someone else's contact.
 */
import nock from 'nock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { contactIdFor } from '../../src/hook/contact-id.js';
import type { HookKind } from '../../src/build/artifact.js';
import { buildHook } from '../../src/build/build-hook.js';
import type { ConfigInput } from '../../src/hook/config.js';
import { registrationPayload } from '../../src/harness/run-hook.js';
import { loadBuiltHook, strivacityGlobals } from '../../src/harness/load-hook.js';
import { readFixture } from '../../src/harness/stand-in.js';
import { API, BASE_CONFIG, callHook, configWith, JSON_HEADERS, mockContacts, mockToken, ORG, useBuiltHooks } from '../support/helpers.js';

const ADA_ID = '0f8fad5b-d9cb-469f-a165-70867728950e'; // contacts-one.json
const ADA = 'ada.lovelace@example.com';
const MALLORY = 'mallory@example.com';
const CONFIG = { ...BASE_CONFIG, sync: { createIfMissing: true } } satisfies ConfigInput;

const builds = new Map<string, string>();
const builtHooks = useBuiltHooks();
async function load(kind: HookKind, config: ConfigInput = CONFIG) {
  const key = `${kind}:${JSON.stringify(config)}`;
  if (!builds.has(key)) builds.set(key, (await buildHook(kind, config)).code);
  const { hook, unload } = loadBuiltHook(builds.get(key) as string, strivacityGlobals());
  builtHooks.track(unload);
  return hook;
}

let logged: Array<Record<string, unknown>> = [];
beforeEach(() => {
  logged = [];
  for (const method of ['log', 'error'] as const)
    vi.spyOn(console, method).mockImplementation((text: unknown) => void logged.push(JSON.parse(String(text)) as Record<string, unknown>));
});

type Session = Record<string, unknown>;

/** The built pre-registration hook's answer for `email` in `session`: the session it hands back. */
async function preRegister(email: string, session: Session, config: ConfigInput = CONFIG): Promise<Session> {
  const payload = { ...registrationPayload(email), session };
  const { calls } = await callHook(await load('pre-registration', config), payload);
  expect(calls).toHaveLength(1);
  return ((calls[0]?.value as { session?: Session }).session ?? {}) as Session;
}

/**
 * The built post-registration hook run for `email` with `session`; every read (GET by id, which a
 * followed link makes before filling empty columns) and every PATCH of Ada's contact is counted.
 * Ada's contact reads with empty sync columns, so that a followed link writes.
 */
async function postRegister(email: string, session: Session): Promise<{ adaReads: number; adaPatches: number }> {
  let adaReads = 0;
  let adaPatches = 0;
  nock(ORG)
    .get(`${API}/contacts(${ADA_ID})`)
    .query({ $select: 'contactid,firstname,lastname' })
    .optionally()
    .reply(() => {
      adaReads += 1;
      return [200, { '@odata.etag': 'W/"1"', contactid: ADA_ID, firstname: null, lastname: null }, JSON_HEADERS];
    })
    .patch(`${API}/contacts(${ADA_ID})`)
    .optionally()
    .reply(() => {
      adaPatches += 1;
      return [204, ''];
    });
  const payload: Record<string, unknown> = { ...registrationPayload(email), session };
  (payload['customer'] as { attributes: Record<string, unknown> }).attributes['name'] = { givenName: 'Mallory', familyName: 'Example' };
  const calls: unknown[][] = [];
  await (
    await load('post-registration')
  )(payload, (...args: unknown[]) => calls.push(args), undefined);
  expect(calls).toEqual([[]]);
  return { adaReads, adaPatches };
}

/** Mallory is not in the CRM: the post-registration hook looks her up and creates her. */
function mockMalloryCreated(): nock.Scope {
  const created = readFixture('dataverse-create-204.json') as { status: number; headers?: Record<string, string> };
  return nock(ORG)
    .get(`${API}/contacts`)
    .query(true)
    .reply(200, readFixture('contacts-none.json') as nock.Body, JSON_HEADERS)
    .post(`${API}/contacts`, { firstname: 'Mallory', lastname: 'Example', emailaddress1: MALLORY, contactid: contactIdFor(ORG, MALLORY) })
    .reply(created.status, '', created.headers ?? {});
}

function dynamicsOf(session: Session): Record<string, unknown> | undefined {
  return session['dynamics'] as Record<string, unknown> | undefined;
}

describe('the stale link of issue 9, through the built hooks', () => {
  it("a second attempt with another email in the same session loses Ada's link, and the post-registration hook creates Mallory instead of writing Ada", async () => {
    mockToken();
    mockContacts('contacts-one.json');
    const first = await preRegister(ADA, { journey: 'register' });
    expect(dynamicsOf(first)?.['contactId']).toBe(ADA_ID);

    mockToken();
    mockContacts('contacts-none.json'); // policy.notFound: allow, the default
    const second = await preRegister(MALLORY, first);
    expect(second).toEqual({ journey: 'register' });

    mockToken();
    const mallory = mockMalloryCreated();
    const { adaReads, adaPatches } = await postRegister(MALLORY, second);
    expect([adaReads, adaPatches]).toEqual([0, 0]);
    mallory.done();
  });

  it("the post-registration hook ignores Ada's link when Mallory registers with it, and logs that it did", async () => {
    mockToken();
    mockContacts('contacts-one.json');
    const adasSession = await preRegister(ADA, { journey: 'register' });
    logged = [];

    mockToken();
    const mallory = mockMalloryCreated();
    const { adaReads, adaPatches } = await postRegister(MALLORY, adasSession);

    expect([adaReads, adaPatches]).toEqual([0, 0]);
    mallory.done();
    expect(logged.filter((line) => line['event'] === 'registration.synced')).toEqual([
      expect.objectContaining({ level: 'info', outcome: 'created', reason: 'ignored_link_no_match' }),
    ]);
    expect(JSON.stringify(logged)).not.toMatch(/mallory|lovelace|0f8fad5b/i);
  });

  it('a link made for the same email is followed: Ada is read by id and updated without an email lookup', async () => {
    mockToken();
    mockContacts('contacts-one.json');
    const adasSession = await preRegister(` ${ADA.toUpperCase()} `, { journey: 'register' });
    logged = [];

    mockToken();
    const { adaReads, adaPatches } = await postRegister(ADA, adasSession);

    expect([adaReads, adaPatches]).toEqual([1, 1]);
    expect(logged.filter((line) => line['event'] === 'registration.synced')).toEqual([
      expect.objectContaining({ outcome: 'updated', reason: 'session_contact', columnsWritten: ['firstname', 'lastname'], columnsKept: [] }),
    ]);
  });

  const failing = { status: 500, body: { error: { code: '0x80040216', message: 'SQL timeout' } } };
  it.each([
    ['no contact, notFound showError', configWith({ policy: { notFound: 'showError', timeoutMs: 1500 } }), MALLORY, 'contacts-none.json'],
    ['several contacts, multipleMatches showError', configWith({ policy: { multipleMatches: 'showError', timeoutMs: 1500 } }), MALLORY, 'contacts-two.json'],
    ['an invalid email', CONFIG, 'not-an-email', undefined],
    ['an email holding the batch marker', CONFIG, 'x--batchresponse_@example.com', undefined],
    ['a Dataverse failure', CONFIG, MALLORY, failing],
  ] as const)('the pre-registration hook removes an incoming link on %s', async (_label, config, email, lookup) => {
    mockToken();
    if (typeof lookup === 'string') mockContacts(lookup);
    else if (lookup !== undefined) nock(ORG).get(`${API}/contacts`).query(true).times(3).reply(lookup.status, lookup.body);
    const incoming = { journey: 'register', dynamics: { campaign: 'spring', contactId: ADA_ID, linkHash: 'a'.repeat(64) } };

    expect(await preRegister(email, incoming, config)).toEqual({ journey: 'register', dynamics: { campaign: 'spring' } });
  });

  it('the pre-registration hook removes an incoming link when its pasted config is invalid', async () => {
    const code = (await buildHook('pre-registration', CONFIG)).code.replace('"notFound": "allow"', '"notFound": "maybe"');
    const { hook, unload } = loadBuiltHook(code, strivacityGlobals());
    builtHooks.track(unload);
    const payload = { ...registrationPayload(MALLORY), session: { journey: 'register', dynamics: { contactId: ADA_ID } } };

    const { calls } = await callHook(hook, payload);

    expect((calls[0]?.value as { session: Session }).session).toEqual({ journey: 'register' });
  });
});
