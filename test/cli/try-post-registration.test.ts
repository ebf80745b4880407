/**
 * `try` and `payloads` with `--hook post-registration`: what the hook wrote, offline against the
 * write stand-in and live (nock as the environment), with emails masked.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { readFixture } from '../../src/harness/stand-in.js';
import { contactIdFor } from '../../src/hook/contact-id.js';
import { ACCESS_TOKEN, API, BASE_CONFIG, JSON_HEADERS, mockToken, ORG, SECRET } from '../support/helpers.js';
import { kindList } from '../support/cli.js';

const ADA_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
let dir = '';
let output: string[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cli-post-'));
  output = [];
  const capture = (...parts: unknown[]) => output.push(parts.map(String).join(' '));
  vi.spyOn(console, 'log').mockImplementation(capture);
  vi.spyOn(console, 'error').mockImplementation(capture);
});

function writeJson(name: string, value: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

function printed(): string {
  const text = output.join('\n');
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain(ACCESS_TOKEN);
  return text;
}

async function samplePayload(file: string): Promise<string> {
  const out = join(dir, 'payloads');
  expect(await runCli(['payloads', '--hook', 'post-registration', '--out', out])).toBe(0);
  output = [];
  return join(out, file);
}

describe('dynamics-hook payloads --hook post-registration', () => {
  it('writes the post-registration cases and says which hook they are for', async () => {
    const out = join(dir, 'payloads');
    expect(await runCli(['payloads', '--hook', 'post-registration', '--out', out])).toBe(0);
    expect(readdirSync(out).sort()).toEqual([
      '01-known-customer.json',
      '02-known-customer-blank-form.json',
      '03-new-customer.json',
      '04-two-contacts.json',
      '05-invalid-email.json',
    ]);
    expect(printed()).toMatch(/^Wrote 5 post-registration Try Out payloads/);
  });
});

describe('dynamics-hook try --hook post-registration (offline)', () => {
  it('a known customer whose contact holds every column: unchanged by default (fillEmpty), the columns it kept named', async () => {
    const payload = await samplePayload('01-known-customer.json');
    expect(await runCli(['try', '--hook', 'post-registration', '--config', writeJson('config.json', BASE_CONFIG), '--payload', payload])).toBe(0);
    const text = printed();
    expect(text).toContain('outcome       unchanged (email_match)');
    expect(text).toContain('columns       none written');
    expect(text).toContain("kept          firstname, lastname, mobilephone (the contact's values stay: sync.updateExisting)");
    expect(text).toContain('requests      no write reached the stand-in');
  });

  it('two contacts share the email: only the empty column of the newest is written (fillEmpty)', async () => {
    const payload = await samplePayload('04-two-contacts.json');
    expect(await runCli(['try', '--hook', 'post-registration', '--config', writeJson('config.json', BASE_CONFIG), '--payload', payload])).toBe(0);
    const text = printed();
    expect(text).toContain('outcome       updated (email_match_most_recent)');
    expect(text).toContain('columns       written to the contact:\n  mobilephone = "+44 20 7946 0000"\nkept          firstname, lastname');
  });

  it('a known customer with sync.updateExisting overwrite: updated by email, the columns written named with their values', async () => {
    const payload = await samplePayload('01-known-customer.json');
    const config = writeJson('config.json', { ...BASE_CONFIG, sync: { updateExisting: 'overwrite' } });
    expect(await runCli(['try', '--hook', 'post-registration', '--config', config, '--payload', payload])).toBe(0);
    const text = printed();
    expect(text).toContain('try post-registration (offline: recorded Entra and Dataverse responses)');
    expect(text).toContain('outcome       updated (email_match)');
    expect(text).toContain('columns       written to the contact:\n  firstname = "Alan"\n  lastname = "Turing"\n  mobilephone = "+44 20 7946 0000"');
    expect(text).toContain(`requests      answered by the stand-in:\n  PATCH contacts(${ADA_ID}) [firstname, lastname, mobilephone] -> 204`);
    expect(text).toContain('answered      callback(), 1 call(s)');
  });

  it('an unknown email: created, the email column masked in the report', async () => {
    const payload = await samplePayload('03-new-customer.json');
    expect(await runCli(['try', '--hook', 'post-registration', '--config', writeJson('config.json', BASE_CONFIG), '--payload', payload, '--json'])).toBe(0);
    const report = JSON.parse(printed()) as { hook: string; decision: string; reason: string; sync: { columns: Record<string, string>; requests: unknown[] } };
    expect(report).toMatchObject({ hook: 'post-registration', decision: 'created', reason: 'no_match' });
    expect(report.sync.columns).toEqual({ firstname: 'Alan', lastname: 'Turing', mobilephone: '+44 20 7946 0000', emailaddress1: 'n***n@example.com' });
    expect(report.sync.requests).toEqual([
      {
        method: 'POST',
        contactId: contactIdFor(ORG, 'new.person@example.com'),
        status: 204,
        columns: ['firstname', 'lastname', 'mobilephone', 'emailaddress1', 'contactid'],
      },
    ]);
    expect(output.join('\n')).not.toContain('new.person@example.com');
  });

  it('createIfMissing false: skipped, nothing written', async () => {
    const payload = await samplePayload('03-new-customer.json');
    const config = writeJson('config.json', { ...BASE_CONFIG, sync: { createIfMissing: false } });
    expect(await runCli(['try', '--hook', 'post-registration', '--config', config, '--payload', payload])).toBe(0);
    const text = printed();
    expect(text).toContain('outcome       skipped (no_match)');
    expect(text).toContain('columns       none written');
    expect(text).toContain('requests      no write reached the stand-in');
  });

  it('a failed write is exit 1 and reported as failed', async () => {
    const config = writeJson('config.json', { ...BASE_CONFIG, dataverse: { url: 'https://fabrikam.crm4.dynamics.com' }, policy: { timeoutMs: 500 } });
    // Arranged ahead of the stand-in: the lookup is refused.
    nock('https://fabrikam.crm4.dynamics.com')
      .persist()
      .get(`${API}/contacts`)
      .query(true)
      .reply(403, readFixture('dataverse-403-no-application-user.json') as nock.Body, JSON_HEADERS);
    expect(await runCli(['try', '--hook', 'post-registration', '--config', config, '--email', 'ada.lovelace@example.com'])).toBe(1);
    expect(printed()).toContain('outcome       failed (sync_failed)');
  });

  it('an unknown --hook is a usage error naming the kinds', async () => {
    expect(await runCli(['try', '--hook', 'post', '--config', writeJson('config.json', BASE_CONFIG), '--email', 'ada.lovelace@example.com'])).toBe(2);
    expect(printed()).toBe(`--hook of try must be ${kindList()}, not 'post'. Run 'npx dynamics-hook try --help' for its options.`);
  });
});

describe('dynamics-hook try --hook post-registration --live', () => {
  it('updates the contact found by email and reports the columns it wrote', async () => {
    vi.stubEnv('DYNAMICS_CLIENT_SECRET', SECRET);
    const payload = await samplePayload('01-known-customer.json');
    let written: unknown;
    const scopes = [
      mockToken(),
      nock(ORG)
        .get(`${API}/contacts`)
        .query(true)
        .reply(200, readFixture('contacts-one.json') as nock.Body, JSON_HEADERS),
      nock(ORG)
        .patch(`${API}/contacts(${ADA_ID})`, (body: unknown) => {
          written = body;
          return true;
        })
        .reply(204),
    ];
    const config = writeJson('config.json', { ...BASE_CONFIG, sync: { updateExisting: 'overwrite' } });
    expect(await runCli(['try', '--hook', 'post-registration', '--live', '--config', config, '--payload', payload])).toBe(0);
    const text = printed();
    expect(text).toContain('try post-registration (live: https://contoso.crm4.dynamics.com)');
    expect(text).toContain('outcome       updated (email_match)');
    expect(text).toContain('  firstname = "Alan"');
    expect(text).not.toContain('requests      ');
    expect(written).toEqual({ firstname: 'Alan', lastname: 'Turing', mobilephone: '+44 20 7946 0000' });
    for (const scope of scopes) expect(scope.isDone()).toBe(true);
    vi.unstubAllEnvs();
  });
});
