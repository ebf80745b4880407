/**
 * The BUILT hook when its code runs in a realm of its own (a `vm` context whose `require` hands it
 * the host's packages), and how it classifies an error that is neither an HTTP answer nor a network
 * failure. dynamics-web-api refuses an array unless `value.constructor === Array` of its own realm.
 */
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildHook } from '../../src/build/build-hook.js';
import { registrationPayload, runHook } from '../../src/harness/run-hook.js';
import { loadBuiltHook, strivacityGlobals } from '../../src/harness/load-hook.js';
import { readFixture } from '../../src/harness/stand-in.js';
import { postIdentificationPayload } from '../../src/build/kinds/post-identification.js';
import { externalRegistrationPayload } from '../../src/build/kinds/pre-external-registration.js';
import { accountPayload } from '../../src/build/kinds/post-account-update.js';
import { ADA_ID, mockContactById, mockPatch } from '../support/account-hooks.js';
import { BASE_CONFIG, callHook, configWith, JSON_HEADERS, mockContacts, mockToken, ORG, API, useBuiltHooks } from '../support/helpers.js';
import { loadBuiltHookInRealm } from '../support/load-in-realm.js';

let code = '';
beforeAll(async () => {
  code = (await buildHook('pre-registration', BASE_CONFIG)).code;
});
const builtHooks = useBuiltHooks();
const decidedOf = (lines: readonly unknown[]) => lines.find((line) => (line as { event?: string }).event === 'registration.decided') as Record<string, unknown>;

describe('the built hook in a realm of its own', () => {
  it('allows a known customer, completed from the contact, exactly as in the host realm', async () => {
    const token = mockToken();
    const filters: string[] = [];
    const contacts = mockContacts('contacts-one.json', filters);
    const hook = loadBuiltHookInRealm(code, strivacityGlobals('ErrorDenyRequest'));

    const run = await runHook(hook, registrationPayload('ada.lovelace@example.com'));

    expect(decidedOf(run.logLines)).toMatchObject({ outcome: 'allow', reason: 'matched', attempts: 1, matches: 1 });
    expect(run.calls).toBe(1);
    const result = run.result as { attributes: { name: Record<string, string> }; session: { dynamics: { contactId: string } } };
    expect(result.attributes.name).toEqual({ givenName: 'Ada', familyName: 'Lovelace' });
    expect(result.session.dynamics.contactId).toBe('0f8fad5b-d9cb-469f-a165-70867728950e');
    expect(filters).toEqual(["emailaddress1 eq 'ada.lovelace@example.com' and statecode eq 0"]);
    expect(token.isDone() && contacts.isDone()).toBe(true);
  });

  it('contains a body the library cannot parse there too', async () => {
    mockToken();
    const recorded = readFixture('contacts-one.json') as { value: Array<Record<string, unknown>> };
    nock(ORG)
      .get(`${API}/contacts`)
      .query(true)
      .reply(200, JSON.stringify({ ...recorded, value: [{ ...recorded.value[0], firstname: 'Ann --batchresponse_ x' }] }), JSON_HEADERS);
    const hook = loadBuiltHookInRealm(code, strivacityGlobals('ErrorDenyRequest'));

    const run = await runHook(hook, registrationPayload('ada.lovelace@example.com'));

    expect(decidedOf(run.logLines)).toMatchObject({ outcome: 'showError', reason: 'lookup_failed', failure: 'bad_response', attempts: 1 });
  });
});

describe('the built sign-in gate in a realm of its own', () => {
  it('reads a linked contact by id, checks its email and the rules, and allows with AllowAuthentication', async () => {
    mockToken();
    const config = configWith({ lookup: { where: { msdyn_portalaccess: true } }, link: { attribute: 'custom.dynamicsContactId' } });
    const gate = (await buildHook('post-identification', config)).code;
    const contactId = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const byId = nock(ORG)
      .get(`${API}/contacts(${contactId})`)
      .query((query) => String(query['$select']).split(',').includes('msdyn_portalaccess'))
      .reply(200, readFixture('contact-by-id.json') as nock.Body, JSON_HEADERS);
    const contacts = mockContacts('contacts-none.json');
    const hook = loadBuiltHookInRealm(gate, strivacityGlobals('DenyRequest'));

    const { calls } = await callHook(hook as never, postIdentificationPayload('ada.lovelace@example.com', { contactId }));

    expect(calls).toHaveLength(1);
    expect(calls[0]?.value).toMatchObject({ authentication: 'ALLOW', session: { dynamics: { contactId } } });
    expect(byId.isDone()).toBe(true);
    // The link was trusted: no email query was sent.
    expect(contacts.isDone()).toBe(false);
  });
});

describe('the built social sign-up gate in a realm of its own', () => {
  it('reads the email at the second default path, looks it up and allows with RegistrationData, completed from the contact', async () => {
    mockToken();
    const filters: string[] = [];
    mockContacts('contacts-one.json', filters);
    const social = (await buildHook('pre-external-registration', BASE_CONFIG)).code;
    const hook = loadBuiltHookInRealm(social, strivacityGlobals('DenyRequest'));

    const run = await runHook(hook, externalRegistrationPayload('ada.lovelace@example.com', { at: 'identifiers' }));

    expect(run.calls).toBe(1);
    expect(decidedOf(run.logLines)).toMatchObject({ hook: 'pre-external-registration', outcome: 'allow', reason: 'matched', attempts: 1, matches: 1 });
    const result = run.result as { attributes: { name: Record<string, string> }; session: { dynamics: { contactId: string } } };
    expect(result.attributes.name).toEqual({ givenName: 'Ada', familyName: 'Lovelace' });
    expect(result.session.dynamics.contactId).toBe('0f8fad5b-d9cb-469f-a165-70867728950e');
    expect(filters).toEqual(["emailaddress1 eq 'ada.lovelace@example.com' and statecode eq 0"]);
  });

  it('answers arguments with no email by policy.onError there too, with the key paths in the log', async () => {
    mockToken();
    const social = (await buildHook('pre-external-registration', BASE_CONFIG)).code;
    const hook = loadBuiltHookInRealm(social, strivacityGlobals('DenyRequest'));

    const run = await runHook(hook, externalRegistrationPayload(undefined, { at: 'nowhere' }));

    expect(run.calls).toBe(1);
    expect(run.result).toMatchObject({ error_message: 'Registration is temporarily unavailable. Please try again in a few minutes.' });
    expect(decidedOf(run.logLines)).toMatchObject({
      level: 'error',
      reason: 'contract_mismatch',
      argumentKeys: expect.arrayContaining(['customer.identifiers']),
    });
  });
});

describe('the built account hooks in a realm of its own', () => {
  const linked = configWith({ link: { attribute: 'custom.dynamicsContactId' }, sync: { updateExisting: 'overwrite' } });
  const eventOf = (lines: readonly unknown[], event: string) => lines.find((line) => (line as { event?: string }).event === event) as Record<string, unknown>;

  it('post-account-update: reads the linked contact by id (the select list an array of the library realm), verifies it and writes it', async () => {
    mockToken();
    const byId = mockContactById();
    const bodies: unknown[] = [];
    mockPatch(ADA_ID, bodies);
    const hook = loadBuiltHookInRealm((await buildHook('post-account-update', linked)).code, strivacityGlobals('ErrorDenyRequest'));

    const run = await runHook(hook, accountPayload('ada.lovelace@example.com', { contactId: ADA_ID }));

    expect(run.calls).toBe(1);
    expect(byId.isDone()).toBe(true);
    expect(bodies).toEqual([{ firstname: 'Ada', lastname: 'King', mobilephone: '+44 20 7946 0111' }]);
    expect(eventOf(run.logLines, 'account.synced')).toMatchObject({ outcome: 'updated', reason: 'linked_contact', link: 'followed' });
  });

  it('post-account-deletion: looks up by email there too and deactivates the one contact', async () => {
    mockToken();
    mockContacts('contacts-one.json');
    const bodies: unknown[] = [];
    mockPatch(ADA_ID, bodies);
    const hook = loadBuiltHookInRealm((await buildHook('post-account-deletion', BASE_CONFIG)).code, strivacityGlobals('ErrorDenyRequest'));

    const run = await runHook(hook, accountPayload('ada.lovelace@example.com'));

    expect(run.calls).toBe(1);
    expect(bodies).toStrictEqual([{ statecode: 1, statuscode: 2 }]);
    expect(eventOf(run.logLines, 'account.deleted')).toMatchObject({ outcome: 'deactivated', reason: 'email_match' });
  });

  it.each(['performance', 'setTimeout', 'clearTimeout', 'AbortController'] as const)(
    'without %s: both account hooks still call back exactly once, and never reject',
    async (name) => {
      for (const kind of ['post-account-update', 'post-account-deletion'] as const) {
        mockToken();
        mockContacts('contacts-none.json');
        const hook = loadBuiltHookInRealm((await buildHook(kind, BASE_CONFIG)).code, strivacityGlobals('ErrorDenyRequest'), [name]);

        const run = await runHook(hook, accountPayload('new.person@example.com'));

        expect(run.calls).toBe(1);
        expect(run.via).toBe('callback');
      }
    },
  );
});

describe('an error that is neither an HTTP answer nor a network failure', () => {
  afterEach(() => {
    delete process.env['https_proxy'];
  });

  it('is an internal failure, decided by policy.onError, logged as such and not retried', async () => {
    mockToken();
    // dynamics-web-api reads the lower-case proxy variable itself and throws on a URL it cannot parse.
    process.env['https_proxy'] = 'not a proxy url';
    const { hook, unload } = loadBuiltHook(code, strivacityGlobals('ErrorDenyRequest'));
    builtHooks.track(unload);

    const run = await runHook(hook, registrationPayload('ada.lovelace@example.com'));

    expect(decidedOf(run.logLines)).toMatchObject({ outcome: 'showError', reason: 'lookup_failed', failure: 'internal', stage: 'dataverse', attempts: 1 });
    expect(run.result).toMatchObject({ error_message: 'Registration is temporarily unavailable. Please try again in a few minutes.' });
  });
});

/**
 * A runtime built without some of Node's globals (issue 17: without `performance` the hook rejected
 * with a ReferenceError and answered nothing, its clock being read before its `try`). Each global
 * the hook reads is read where a failure still answers: the registration is decided (the clock
 * falls back to `Date`), or answered by policy when there is no timer to hold a deadline with.
 */
describe('the built hooks in a realm without some of the usual globals', () => {
  const postConfig = { ...BASE_CONFIG, sync: { createIfMissing: true } };
  let post = '';
  beforeAll(async () => {
    post = (await buildHook('post-registration', postConfig)).code;
  });

  it('without performance: the pre-registration hook decides as usual, with its latency measured', async () => {
    mockToken();
    mockContacts('contacts-one.json');
    const hook = loadBuiltHookInRealm(code, strivacityGlobals('ErrorDenyRequest'), ['performance']);

    const run = await runHook(hook, registrationPayload('ada.lovelace@example.com'));

    expect(run.calls).toBe(1);
    expect(decidedOf(run.logLines)).toMatchObject({ outcome: 'allow', reason: 'matched', attempts: 1, latencyMs: expect.any(Number) });
  });

  it('without performance: the post-registration hook synchronises as usual and calls back once', async () => {
    mockToken();
    mockContacts('contacts-one.json');
    const hook = loadBuiltHookInRealm(post, strivacityGlobals('ErrorDenyRequest'), ['performance']);

    const run = await runHook(hook, registrationPayload('ada.lovelace@example.com'));

    expect(run.calls).toBe(1);
    expect(run.logLines.find((line) => (line as { event?: string }).event === 'registration.synced')).toMatchObject({
      outcome: 'unchanged',
      reason: 'email_match',
      latencyMs: expect.any(Number),
    });
  });

  it.each(['setTimeout', 'clearTimeout', 'AbortController'] as const)('without %s: both hooks still answer exactly once, and never reject', async (name) => {
    for (const built of [code, post]) {
      mockToken();
      mockContacts('contacts-one.json');
      const hook = loadBuiltHookInRealm(built, strivacityGlobals('ErrorDenyRequest'), [name]);

      const run = await runHook(hook, registrationPayload('ada.lovelace@example.com'));

      expect(run.calls).toBe(1);
      expect(run.via).toBe('callback');
    }
  });
});
