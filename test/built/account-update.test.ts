/**
 * The BUILT post-account-update hook, loaded as Strivacity loads it, with real msal-node and
 * dynamics-web-api against nock. Its arguments are unpublished: the payloads are the assumed shape
 * of its kind.ts, and one case is a payload the default paths cannot read.
 */
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { contactIdFor } from '../../src/hook/contact-id.js';
import type { ConfigInput } from '../../src/hook/config.js';
import { accountPayload, unreadablePayload } from '../../src/build/kinds/post-account-update.js';
import { readFixture } from '../../src/harness/stand-in.js';
import { ADA_ID, driveWithCallback, expectNothingPersonal, linesOf, mockContactById, mockPatch } from '../support/account-hooks.js';
import { API, capturePrinted, configWith, JSON_HEADERS, loadBuilt, mockContacts, mockToken, ORG, useBuiltHooks } from '../support/helpers.js';

const LINKED = configWith({ link: { attribute: 'custom.dynamicsContactId' } });
const GRACE_NEWEST = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const ADA = 'ada.lovelace@example.com';

const builtHooks = useBuiltHooks();
const output = capturePrinted();
const load = (config: ConfigInput = LINKED) => loadBuilt(builtHooks, 'post-account-update', config);
const synced = () => linesOf(output.printed(), 'account.synced');

describe('the built post-account-update hook: which contact', () => {
  it('writes the empty columns of the contact kept on the account, read by id and verified against the email, without an email lookup', async () => {
    mockToken();
    const selects: string[] = [];
    const byId = mockContactById({ firstname: 'Ada', lastname: null, mobilephone: '' }, selects);
    const bodies: unknown[] = [];
    const patch = mockPatch(ADA_ID, bodies);
    const lookup = mockContacts('contacts-one.json');

    const calls = await driveWithCallback(await load(), accountPayload(ADA, { contactId: ADA_ID.toUpperCase() }));

    expect(calls).toEqual([[]]);
    expect(byId.isDone() && patch.isDone()).toBe(true);
    expect(lookup.isDone()).toBe(false);
    // One read gives the email fields (the verification) and the sync columns (fillEmpty).
    expect(selects[0]?.split(',')).toEqual(expect.arrayContaining(['emailaddress1', 'statecode', 'firstname', 'lastname', 'mobilephone']));
    expect(bodies).toEqual([{ lastname: 'King', mobilephone: '+44 20 7946 0111' }]);
    expect(synced()).toEqual([
      {
        level: 'info',
        event: 'account.synced',
        hook: 'post-account-update',
        outcome: 'updated',
        reason: 'linked_contact',
        columnsWritten: ['lastname', 'mobilephone'],
        columnsKept: ['firstname'],
        link: 'followed',
        latencyMs: expect.any(Number),
        attempts: 1,
        emailHash: expect.stringMatching(/^[0-9a-f]{12}$/),
      },
    ]);
    expectNothingPersonal(output.printed());
  });

  it('ignores a link whose contact holds another email, and writes the contact found by email instead', async () => {
    mockToken();
    mockContactById({ emailaddress1: 'someone.else@example.com' });
    const filters: string[] = [];
    mockContacts('contacts-one.json', filters);
    const bodies: unknown[] = [];
    mockPatch(ADA_ID, bodies);

    await driveWithCallback(
      await load(configWith({ link: { attribute: 'custom.dynamicsContactId' }, sync: { updateExisting: 'overwrite' } })),
      accountPayload(ADA, { contactId: ADA_ID }),
    );

    expect(filters).toEqual(["emailaddress1 eq 'ada.lovelace@example.com' and statecode eq 0"]);
    expect(bodies).toEqual([{ firstname: 'Ada', lastname: 'King', mobilephone: '+44 20 7946 0111' }]);
    expect(synced()[0]).toMatchObject({ outcome: 'updated', reason: 'email_match', link: 'ignored_link', matches: 1 });
  });

  it('finds the contact by email when the account keeps no link; fillEmpty keeps every filled column (no PATCH)', async () => {
    mockToken();
    const lookup = mockContacts('contacts-one.json');

    await driveWithCallback(await load(), accountPayload(ADA));

    expect(lookup.isDone()).toBe(true);
    expect(synced()[0]).toMatchObject({
      outcome: 'unchanged',
      reason: 'email_match',
      matches: 1,
      columnsWritten: [],
      columnsKept: ['firstname', 'lastname', 'mobilephone'],
    });
    expect(synced()[0]).not.toHaveProperty('link');
  });

  it('overwrite replaces the values of the contact found by email', async () => {
    mockToken();
    mockContacts('contacts-one.json');
    const bodies: unknown[] = [];
    const patch = mockPatch(ADA_ID, bodies);

    await driveWithCallback(await load(configWith({ sync: { updateExisting: 'overwrite' } })), accountPayload(ADA));

    expect(patch.isDone()).toBe(true);
    expect(bodies).toEqual([{ firstname: 'Ada', lastname: 'King', mobilephone: '+44 20 7946 0111' }]);
    expect(synced()[0]).toMatchObject({ outcome: 'updated', reason: 'email_match', columnsWritten: ['firstname', 'lastname', 'mobilephone'], columnsKept: [] });
  });

  it('never leaves the linked contact alone: one read to verify the link, no PATCH', async () => {
    mockToken();
    const byId = mockContactById({ lastname: null });

    await driveWithCallback(
      await load(configWith({ link: { attribute: 'custom.dynamicsContactId' }, sync: { updateExisting: 'never' } })),
      accountPayload(ADA, { contactId: ADA_ID }),
    );

    expect(byId.isDone()).toBe(true);
    expect(synced()[0]).toMatchObject({
      outcome: 'unchanged',
      reason: 'linked_contact',
      columnsWritten: [],
      columnsKept: ['firstname', 'lastname', 'mobilephone'],
    });
  });

  it('writes the newest of several contacts with the email (the post-registration rule), only its empty columns', async () => {
    mockToken();
    mockContacts('contacts-two.json');
    const bodies: unknown[] = [];
    mockPatch(GRACE_NEWEST, bodies);

    await driveWithCallback(await load(), accountPayload('grace.hopper@example.com'));

    expect(bodies).toEqual([{ mobilephone: '+44 20 7946 0111' }]);
    expect(synced()[0]).toMatchObject({ outcome: 'updated', reason: 'email_match_most_recent', matches: 2, columnsWritten: ['mobilephone'] });
  });

  it('creates a missing contact with the contactid derived from the email (sync.createIfMissing, the default)', async () => {
    mockToken();
    mockContacts('contacts-none.json');
    const created = readFixture('dataverse-create-204.json') as { status: number; headers: Record<string, string> };
    const email = 'new.person@example.com';
    const create = nock(ORG)
      .post(`${API}/contacts`, {
        firstname: 'Ada',
        lastname: 'King',
        mobilephone: '+44 20 7946 0111',
        emailaddress1: email,
        contactid: contactIdFor(ORG, email),
      })
      .reply(created.status, '', created.headers);

    await driveWithCallback(await load(), accountPayload(email));

    expect(create.isDone()).toBe(true);
    expect(synced()[0]).toMatchObject({ outcome: 'created', reason: 'no_match', matches: 0 });
    expectNothingPersonal(output.printed());
  });

  it('creates nothing when sync.createIfMissing is false', async () => {
    mockToken();
    mockContacts('contacts-none.json');

    await driveWithCallback(await load(configWith({ sync: { createIfMissing: false } })), accountPayload('new.person@example.com'));

    expect(synced()[0]).toMatchObject({ level: 'info', outcome: 'skipped', reason: 'no_match', matches: 0 });
  });
});

describe('the built post-account-update hook: arguments it cannot use', () => {
  it('logs contract_mismatch at error with the key paths (never a value) when no path holds an email or a link, and asks nothing', async () => {
    const lookup = mockContacts('contacts-one.json');

    const calls = await driveWithCallback(await load(), unreadablePayload());

    expect(calls).toEqual([[]]);
    expect(lookup.isDone()).toBe(false);
    expect(synced()).toEqual([
      expect.objectContaining({
        level: 'error',
        outcome: 'skipped',
        reason: 'contract_mismatch',
        argumentPaths: ['customer.info.id', 'customer.info.userName', 'session'],
        attempts: 0,
      }),
    ]);
    expectNothingPersonal(output.printed(), ['b6a1f0e2']);
  });

  it('reads the email where account.emailPaths says, so the administrator can fix a mismatch in the config', async () => {
    mockToken();
    const filters: string[] = [];
    mockContacts('contacts-none.json', filters);
    const payload = { account: { mail: ADA }, profile: { name: { givenName: 'Ada' } } };

    await driveWithCallback(
      await load(configWith({ account: { emailPaths: ['account.mail'], attributePaths: ['profile'] }, sync: { createIfMissing: false } })),
      payload,
    );

    expect(filters).toEqual(["emailaddress1 eq 'ada.lovelace@example.com' and statecode eq 0"]);
    expect(synced()[0]).toMatchObject({ outcome: 'skipped', reason: 'no_match' });
  });

  it('does not follow a link it cannot verify (no email in the arguments): link_unverified, nothing written', async () => {
    const byId = mockContactById();

    await driveWithCallback(await load(), { customer: { attributes: { custom: { dynamicsContactId: ADA_ID } } } });

    expect(byId.isDone()).toBe(false);
    expect(synced()[0]).toMatchObject({ level: 'error', outcome: 'skipped', reason: 'link_unverified' });
  });

  it('leaves out a value holding the batch marker, with a warn line naming the column', async () => {
    mockToken();
    mockContacts('contacts-one.json');
    const bodies: unknown[] = [];
    mockPatch(ADA_ID, bodies);

    await driveWithCallback(
      await load(configWith({ sync: { updateExisting: 'overwrite' } })),
      accountPayload(ADA, { attributes: { name: { givenName: 'Ada --batchresponse_x', familyName: 'King' } } }),
    );

    expect(bodies).toEqual([{ lastname: 'King', mobilephone: '+44 20 7946 0111' }]);
    expect(linesOf(output.printed(), 'registration.value_skipped')).toEqual([
      { level: 'warn', event: 'registration.value_skipped', hook: 'post-account-update', column: 'firstname', problem: 'batch_marker' },
    ]);
  });
});

describe('the built post-account-update hook: Dataverse failures and the callback', () => {
  it('retries a lookup that failed once and then writes', async () => {
    mockToken();
    nock(ORG)
      .get(`${API}/contacts`)
      .query(true)
      .reply(503, readFixture('dataverse-500.json') as nock.Body, JSON_HEADERS);
    mockContacts('contacts-one.json');
    const bodies: unknown[] = [];
    mockPatch(ADA_ID, bodies);

    await driveWithCallback(await load(configWith({ sync: { updateExisting: 'overwrite' } })), accountPayload(ADA));

    expect(bodies).toHaveLength(1);
    expect(synced()[0]).toMatchObject({ level: 'info', outcome: 'updated', attempts: 2 });
  });

  it('gives up after the retries, logs the failure class at error and still calls back once', async () => {
    mockToken();
    const lookups = nock(ORG)
      .get(`${API}/contacts`)
      .query(true)
      .times(3)
      .reply(503, readFixture('dataverse-500.json') as nock.Body, JSON_HEADERS);

    const calls = await driveWithCallback(await load(configWith({ policy: { timeoutMs: 5000 } })), accountPayload(ADA));

    expect(calls).toEqual([[]]);
    expect(lookups.isDone()).toBe(true);
    expect(synced()).toEqual([
      expect.objectContaining({ level: 'error', outcome: 'failed', reason: 'sync_failed', failure: 'server', status: 503, attempts: 3 }),
    ]);
    expectNothingPersonal(output.printed());
  });

  it('ends at the deadline as a timeout when Dataverse does not answer', async () => {
    mockToken();
    nock(ORG)
      .get(`${API}/contacts`)
      .query(true)
      .delay(10_000)
      .reply(200, readFixture('contacts-one.json') as nock.Body, JSON_HEADERS);

    const calls = await driveWithCallback(await load(configWith({ policy: { timeoutMs: 800 } })), accountPayload(ADA));

    expect(calls).toEqual([[]]);
    expect(synced()[0]).toMatchObject({ level: 'error', outcome: 'failed', failure: 'timeout' });
  });

  it('runs without a callback (an asynchronous type may pass none): it resolves and logs its line once', async () => {
    mockToken();
    mockContacts('contacts-one.json');
    const hook = await load();

    await expect(hook(accountPayload(ADA), undefined, undefined)).resolves.toBeUndefined();

    expect(synced()).toEqual([expect.objectContaining({ outcome: 'unchanged', reason: 'email_match' })]);
    expect(linesOf(output.printed(), 'hook.no_callback')).toEqual([]);
  });

  it('calls a callback that throws once, logs that, and resolves', async () => {
    mockToken();
    mockContacts('contacts-one.json');
    let calls = 0;
    const hook = await load();

    await expect(
      hook(
        accountPayload(ADA),
        () => {
          calls += 1;
          throw new Error('runtime callback failed');
        },
        undefined,
      ),
    ).resolves.toBeUndefined();

    expect(calls).toBe(1);
    expect(linesOf(output.printed(), 'hook.callback_threw')).toEqual([expect.objectContaining({ hook: 'post-account-update' })]);
    expect(synced()).toHaveLength(1);
  });
});
