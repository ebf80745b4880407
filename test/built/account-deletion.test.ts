/**
 * The BUILT post-account-deletion hook, loaded as Strivacity loads it, with real msal-node and
 * dynamics-web-api against nock. It never deletes: every test here also listens for a DELETE on the
 * environment and fails if one is sent. Its arguments are unpublished: the payloads are the assumed
 * shape of its kind.ts.
 */
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/hook/config.js';
import { accountPayload, unreadablePayload } from '../../src/build/kinds/post-account-update.js';
import { readFixture } from '../../src/harness/stand-in.js';
import { ADA_ID, driveWithCallback, expectNothingPersonal, linesOf, mockContactById, mockPatch } from '../support/account-hooks.js';
import { API, capturePrinted, configWith, JSON_HEADERS, loadBuilt, mockContacts, mockToken, ORG, useBuiltHooks } from '../support/helpers.js';

const LINKED = configWith({ link: { attribute: 'custom.dynamicsContactId' } });
const STAMPED = configWith({
  link: { attribute: 'custom.dynamicsContactId' },
  deletion: { setColumns: { new_deletedon: '$now', new_closedon: '$today', new_source: '$$strivacity', new_erasure: true, new_reason: null } },
});
const ADA = 'ada.lovelace@example.com';
const INACTIVE = { statecode: 1, statuscode: 2 };

const builtHooks = useBuiltHooks();
const output = capturePrinted();
const load = (config: ConfigInput = LINKED) => loadBuilt(builtHooks, 'post-account-deletion', config);
const deleted = () => linesOf(output.printed(), 'account.deleted');

let deletes = 0;
beforeEach(() => {
  deletes = 0;
  nock(ORG)
    .persist()
    .delete(/.*/)
    .reply(() => {
      deletes += 1;
      return [204, ''];
    });
});
afterEach(() => {
  expect(deletes).toBe(0);
});

describe('the built post-account-deletion hook: deactivate', () => {
  it('deactivates the contact kept on the account (verified against the email): the PATCH holds exactly statecode 1 and statuscode 2', async () => {
    mockToken();
    const byId = mockContactById();
    const bodies: unknown[] = [];
    const patch = mockPatch(ADA_ID, bodies);
    const lookup = mockContacts('contacts-one.json');

    const calls = await driveWithCallback(await load(), accountPayload(ADA, { contactId: ADA_ID }));

    expect(calls).toEqual([[]]);
    expect(byId.isDone() && patch.isDone()).toBe(true);
    expect(lookup.isDone()).toBe(false);
    expect(bodies).toStrictEqual([INACTIVE]);
    expect(deleted()).toEqual([
      {
        level: 'info',
        event: 'account.deleted',
        hook: 'post-account-deletion',
        outcome: 'deactivated',
        reason: 'linked_contact',
        columnsWritten: ['statecode', 'statuscode'],
        action: 'deactivate',
        link: 'followed',
        latencyMs: expect.any(Number),
        attempts: 1,
        emailHash: expect.stringMatching(/^[0-9a-f]{12}$/),
      },
    ]);
    expectNothingPersonal(output.printed());
  });

  it('stamps deletion.setColumns in the same PATCH: $now, $today, a $$ literal, a boolean and null, and nothing else', async () => {
    mockToken();
    mockContacts('contacts-one.json');
    const bodies: Array<Record<string, unknown>> = [];
    mockPatch(ADA_ID, bodies);
    const before = Date.now();

    await driveWithCallback(await load(STAMPED), accountPayload(ADA));

    expect(bodies).toHaveLength(1);
    const body = bodies[0] as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['new_closedon', 'new_deletedon', 'new_erasure', 'new_reason', 'new_source', 'statecode', 'statuscode']);
    expect(body).toMatchObject({ ...INACTIVE, new_source: '$strivacity', new_erasure: true, new_reason: null });
    const stampedAt = Date.parse(String(body['new_deletedon']));
    expect(String(body['new_deletedon'])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(stampedAt).toBeGreaterThanOrEqual(before);
    expect(stampedAt).toBeLessThanOrEqual(Date.now());
    expect(body['new_closedon']).toBe(String(body['new_deletedon']).slice(0, 10));
    expect(deleted()[0]).toMatchObject({ outcome: 'deactivated', reason: 'email_match', matches: 1 });
  });

  it('deactivates the one active contact found by email when the account keeps no link', async () => {
    mockToken();
    const filters: string[] = [];
    const selects: string[] = [];
    nock(ORG)
      .get(`${API}/contacts`)
      .query((query) => filters.push(String(query['$filter'])) > 0 && selects.push(String(query['$select'])) > 0)
      .reply(200, readFixture('contacts-one.json') as nock.Body, JSON_HEADERS);
    const bodies: unknown[] = [];
    mockPatch(ADA_ID, bodies);

    await driveWithCallback(await load(), accountPayload(ADA));

    expect(filters).toEqual(["emailaddress1 eq 'ada.lovelace@example.com' and statecode eq 0"]);
    // Only what the decision needs: no personal column is read.
    expect(selects).toEqual(['contactid,modifiedon,statecode']);
    expect(bodies).toStrictEqual([INACTIVE]);
  });

  it('writes nothing to a linked contact that is already inactive (a second run): unchanged', async () => {
    mockToken();
    mockContactById({ statecode: 1 });

    await driveWithCallback(await load(STAMPED), accountPayload(ADA, { contactId: ADA_ID }));

    expect(deleted()[0]).toMatchObject({ level: 'info', outcome: 'unchanged', reason: 'already_inactive', columnsWritten: [] });
  });

  it('skips when no active contact has the email, writing nothing', async () => {
    mockToken();
    mockContacts('contacts-none.json');

    await driveWithCallback(await load(), accountPayload('new.person@example.com'));

    expect(deleted()[0]).toMatchObject({ level: 'info', outcome: 'skipped', reason: 'no_match', matches: 0 });
  });

  it('deactivates none of several contacts with the email, and logs multiple_matches at warn', async () => {
    mockToken();
    mockContacts('contacts-two.json');

    await driveWithCallback(await load(STAMPED), accountPayload('grace.hopper@example.com'));

    expect(deleted()).toEqual([expect.objectContaining({ level: 'warn', outcome: 'skipped', reason: 'multiple_matches', matches: 2 })]);
    expectNothingPersonal(output.printed());
  });

  it('with deletion.action none, only logs: no request at all', async () => {
    const lookup = mockContacts('contacts-one.json');

    await driveWithCallback(await load(configWith({ deletion: { action: 'none' } })), accountPayload(ADA));

    expect(lookup.isDone()).toBe(false);
    expect(deleted()).toEqual([expect.objectContaining({ level: 'info', outcome: 'logged', reason: 'action_none', action: 'none', attempts: 0 })]);
  });
});

describe('the built post-account-deletion hook: arguments it cannot use', () => {
  it('logs contract_mismatch at error with the key paths when no path holds an email or a link, and touches nothing', async () => {
    const lookup = mockContacts('contacts-one.json');

    const calls = await driveWithCallback(await load(), unreadablePayload());

    expect(calls).toEqual([[]]);
    expect(lookup.isDone()).toBe(false);
    expect(deleted()).toEqual([
      expect.objectContaining({
        level: 'error',
        outcome: 'skipped',
        reason: 'contract_mismatch',
        action: 'deactivate',
        argumentPaths: ['customer.info.id', 'customer.info.userName', 'session'],
      }),
    ]);
    expectNothingPersonal(output.printed(), ['b6a1f0e2']);
  });

  it('does not deactivate by a link it cannot verify (no email): link_unverified', async () => {
    const byId = mockContactById();

    await driveWithCallback(await load(), { customer: { attributes: { custom: { dynamicsContactId: ADA_ID } } } });

    expect(byId.isDone()).toBe(false);
    expect(deleted()[0]).toMatchObject({ level: 'error', outcome: 'skipped', reason: 'link_unverified' });
  });

  it('looks up by email when the linked contact holds another email (the link was edited)', async () => {
    mockToken();
    mockContactById({ emailaddress1: 'someone.else@example.com' });
    mockContacts('contacts-none.json');

    await driveWithCallback(await load(), accountPayload(ADA, { contactId: ADA_ID }));

    expect(deleted()[0]).toMatchObject({ outcome: 'skipped', reason: 'no_match', link: 'ignored_link' });
  });
});

describe('the built post-account-deletion hook: Dataverse failures and the callback', () => {
  it('retries a PATCH that failed once, sending the same body again', async () => {
    mockToken();
    mockContacts('contacts-one.json');
    nock(ORG)
      .patch(`${API}/contacts(${ADA_ID})`)
      .reply(503, readFixture('dataverse-500.json') as nock.Body, JSON_HEADERS);
    mockContacts('contacts-one.json');
    const bodies: unknown[] = [];
    mockPatch(ADA_ID, bodies);

    await driveWithCallback(await load(STAMPED), accountPayload(ADA));

    expect(bodies).toHaveLength(1);
    expect(deleted()[0]).toMatchObject({ level: 'info', outcome: 'deactivated', attempts: 2 });
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
    expect(deleted()).toEqual([
      expect.objectContaining({ level: 'error', outcome: 'failed', reason: 'sync_failed', failure: 'server', status: 503, attempts: 3 }),
    ]);
  });

  it('ends at the deadline as a timeout when Dataverse does not answer', async () => {
    mockToken();
    nock(ORG)
      .get(`${API}/contacts`)
      .query(true)
      .delay(10_000)
      .reply(200, readFixture('contacts-one.json') as nock.Body, JSON_HEADERS);

    await driveWithCallback(await load(configWith({ policy: { timeoutMs: 800 } })), accountPayload(ADA));

    expect(deleted()[0]).toMatchObject({ level: 'error', outcome: 'failed', failure: 'timeout' });
  });

  it('runs without a callback: it resolves and logs its line once', async () => {
    mockToken();
    mockContacts('contacts-none.json');
    const hook = await load();

    await expect(hook(accountPayload(ADA), undefined, undefined)).resolves.toBeUndefined();

    expect(deleted()).toEqual([expect.objectContaining({ outcome: 'skipped', reason: 'no_match' })]);
  });
});
