/**
 * Values crossing between a registration and Dataverse (issue 9, break 1, the write side), through
 * the BUILT files: the post-registration hook never writes a value that dynamics-web-api would
 * misread as a batch response when Dataverse sends it back, and neither direction copies a value
 * longer than `policy.maxValueLength`. The column is named in the log; the value never is.
 */
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { HookKind } from '../../src/build/artifact.js';
import type { ConfigInput } from '../../src/hook/config.js';
import { registrationPayload } from '../../src/harness/run-hook.js';
import { linkHash } from '../../src/hook/link.js';
import { readFixture } from '../../src/harness/stand-in.js';
import { API, BASE_CONFIG, callHook, configWith, JSON_HEADERS, mockToken, ORG, TENANT, useBuiltHooks, loadBuilt, capturePrinted } from '../support/helpers.js';

const ADA_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const ADA = 'ada.lovelace@example.com';
const PLANTED = 'Ann --batchresponse_ x';

const builtHooks = useBuiltHooks();
const load = (kind: HookKind, config: ConfigInput = BASE_CONFIG) => loadBuilt(builtHooks, kind, config);
const output = capturePrinted();
const lines = output.lines;
const skippedLines = () => lines().filter((line) => line['event'] === 'registration.value_skipped');

/**
 * Runs the built post-registration hook for Ada's linked contact with these names; returns the PATCH
 * body. Ada's contact is read (fillEmpty, the default) with both sync columns empty, so that every
 * value the hook lets through is written. `select` is the read's $select: only the columns of the
 * values it lets through (a value left out is not read either).
 */
async function syncAda(name: { givenName: string; familyName: string }, select: string, config: ConfigInput = BASE_CONFIG): Promise<unknown> {
  mockToken();
  const bodies: unknown[] = [];
  const update = nock(ORG)
    .get(`${API}/contacts(${ADA_ID})`)
    .query({ $select: select })
    .reply(200, { '@odata.etag': 'W/"1"', contactid: ADA_ID, firstname: null, lastname: '' }, JSON_HEADERS)
    .patch(`${API}/contacts(${ADA_ID})`, (body) => bodies.push(body) > 0)
    .reply(204);
  const payload: Record<string, unknown> = {
    ...registrationPayload(ADA),
    session: { dynamics: { contactId: ADA_ID, linkHash: linkHash(TENANT, ADA_ID, ADA) } },
  };
  (payload['customer'] as { attributes: Record<string, unknown> }).attributes['name'] = name;
  const calls: unknown[][] = [];
  await (
    await load('post-registration', config)
  )(payload, (...args: unknown[]) => calls.push(args), undefined);
  expect(calls).toEqual([[]]);
  update.done();
  expect(bodies).toHaveLength(1);
  return bodies[0];
}

describe('the built post-registration hook', () => {
  it('does not write a first name holding the batch marker, and logs the column name only', async () => {
    const body = await syncAda({ givenName: PLANTED, familyName: 'Lovelace' }, 'contactid,lastname');

    expect(body).toEqual({ lastname: 'Lovelace' });
    expect(skippedLines()).toEqual([
      { level: 'warn', event: 'registration.value_skipped', hook: 'post-registration', column: 'firstname', problem: 'batch_marker' },
    ]);
    expect(output.printed().join('\n')).not.toContain('Ann');
  });

  it('writes a value of 4,000 characters and leaves out one of 4,001 (the default policy.maxValueLength)', async () => {
    const body = await syncAda({ givenName: 'A'.repeat(4001), familyName: 'L'.repeat(4000) }, 'contactid,lastname');

    expect(body).toEqual({ lastname: 'L'.repeat(4000) });
    expect(skippedLines()).toEqual([expect.objectContaining({ level: 'warn', column: 'firstname', problem: 'too_long' })]);
    expect(output.printed().join('\n')).not.toContain('AAAA');
  });

  it('caps at policy.maxValueLength when it is set', async () => {
    const body = await syncAda({ givenName: 'Ada', familyName: 'Lovelace' }, 'contactid,firstname', configWith({ policy: { maxValueLength: 5 } }));

    expect(body).toEqual({ firstname: 'Ada' });
    expect(skippedLines()).toEqual([expect.objectContaining({ column: 'lastname', problem: 'too_long' })]);
  });
});

describe('the built pre-registration hook', () => {
  it('does not copy a contact value longer than policy.maxValueLength into the registration, and logs the column name only', async () => {
    const contacts = readFixture('contacts-one.json') as { value: Array<Record<string, unknown>> };
    const long = { ...contacts, value: [{ ...contacts.value[0], firstname: 'F'.repeat(4001) }] };
    mockToken();
    nock(ORG).get(`${API}/contacts`).query(true).reply(200, long, JSON_HEADERS);

    const { calls } = await callHook(await load('pre-registration'), registrationPayload(ADA));

    const result = calls[0]?.value as { attributes: { name: unknown } };
    expect(result.attributes.name).toEqual({ givenName: '', familyName: 'Lovelace' });
    expect(skippedLines()).toEqual([
      { level: 'warn', event: 'registration.value_skipped', hook: 'pre-registration', column: 'firstname', problem: 'too_long' },
    ]);
    expect(output.printed().join('\n')).not.toContain('FFFF');
  });

  it('treats an email holding the batch marker as invalid input: it would be written into the contact', async () => {
    mockToken();
    const lookup = nock(ORG)
      .get(`${API}/contacts`)
      .query(true)
      .reply(200, readFixture('contacts-none.json') as nock.Body, JSON_HEADERS);

    const { calls } = await callHook(await load('pre-registration'), registrationPayload('ann--batchresponse_x@example.com'));

    expect(calls).toEqual([{ via: 'callback', value: expect.objectContaining({ error_message: 'Please enter a valid email address.' }) }]);
    expect(lookup.isDone()).toBe(false);
  });
});
