/**
 * The operator commands through `runCli`, as a shell would run them: exit codes, plain and `--json`
 * output, and nothing secret printed.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { MAX_PAYLOAD_CHARACTERS } from '../../src/cli/commands/payloads.js';
import { readFixture } from '../../src/harness/stand-in.js';
import { maskForDisplay } from '../../src/cli/commands/try/try.js';
import { ACCESS_TOKEN, API, BASE_CONFIG, JSON_HEADERS, mockToken, ORG, SECRET } from '../support/helpers.js';
import { kindList } from '../support/cli.js';

let dir = '';
let output: string[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cli-'));
  output = [];
  const capture = (...parts: unknown[]) => output.push(parts.map(String).join(' '));
  vi.spyOn(console, 'log').mockImplementation(capture);
  vi.spyOn(console, 'error').mockImplementation(capture);
});

afterEach(() => {
  // Net connect needs no restoring: the offline stand-in's close() only removes its interceptors.
  vi.unstubAllEnvs();
});

function writeConfig(config: unknown): string {
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

function printed(): string {
  const text = output.join('\n');
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain(ACCESS_TOKEN);
  return text;
}

function mockHealthyDataverse(): void {
  nock(ORG)
    .get(`${API}/WhoAmI()`)
    .reply(200, readFixture('dataverse-whoami.json') as nock.Body, JSON_HEADERS);
  nock(ORG)
    .get(`${API}/contacts`)
    .query(true)
    .reply(200, readFixture('contacts-none.json') as nock.Body, JSON_HEADERS);
  nock(ORG)
    .get(`${API}/EntityDefinitions(LogicalName='contact')/Attributes`)
    .query(true)
    .reply(200, readFixture('dataverse-contact-attributes.json') as nock.Body, JSON_HEADERS);
  const { UserId } = readFixture('dataverse-whoami.json') as { UserId: string };
  nock(ORG)
    .get(`${API}/systemusers(${UserId})/Microsoft.Dynamics.CRM.RetrieveUserPrivileges()`)
    .reply(200, readFixture('dataverse-user-privileges.json') as nock.Body, JSON_HEADERS);
}

const PROJECT = fileURLToPath(new URL('../..', import.meta.url));

function run(file: string, args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd }, (error, stdout, stderr) => resolve({ code: error === null ? 0 : (error.code as number | null), stdout, stderr }));
  });
}

/** The installed bin as npm links it: a symlink in another directory, run by its shebang. */
function runInstalledBin(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const bin = join(dir, 'bin', 'dynamics-hook');
  mkdirSync(join(dir, 'bin'));
  symlinkSync(join(PROJECT, 'src', 'cli', 'dynamics-hook.mjs'), bin);
  return run(bin, args, dir);
}

describe('the installed dynamics-hook bin', () => {
  it('runs through a symlink: doctor on a missing config prints the failed step and exits 3', async () => {
    const { code, stdout } = await runInstalledBin(['doctor', '--config', '/nonexistent.json']);
    expect(code).toBe(3);
    expect(stdout).toMatch(/^FAIL {2}config/m);
    expect(stdout).toContain('Cannot read /nonexistent.json: no such file. Check the path.');
  });

  it('an unknown command is named in one line and exits 2', async () => {
    const { code, stderr } = await runInstalledBin(['frobnicate']);
    expect(code).toBe(2);
    // Run from outside the checkout by a path that is not on the PATH: the hint names the bin by its path.
    expect(stderr).toBe(`unknown command 'frobnicate'. Run 'node ${join(PROJECT, 'src', 'cli', 'dynamics-hook.mjs')} --help' for the commands.\n`);
  });

  it('`tsx src/cli/main.ts` (the npm scripts build and cli) still runs the command line', async () => {
    const { code, stdout } = await run(join(PROJECT, 'node_modules', '.bin', 'tsx'), ['src/cli/main.ts', '--help'], PROJECT);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: dynamics-hook <command> [options]');
  });
});

describe('dynamics-hook doctor', () => {
  it('exits 0 on a healthy setup and prints every step', async () => {
    vi.stubEnv('DYNAMICS_CLIENT_SECRET', SECRET);
    mockToken();
    mockHealthyDataverse();
    expect(await runCli(['doctor', '--config', writeConfig(BASE_CONFIG)])).toBe(0);
    const text = printed();
    expect(text).toMatch(/^ok {4}config/m);
    expect(text).toMatch(/^ok {4}whoami/m);
    expect(text).toContain('All 7 checks passed.');
  });

  it('exits 1 with cause and fix when the secret expired', async () => {
    vi.stubEnv('DYNAMICS_CLIENT_SECRET', SECRET);
    mockToken(readFixture('entra-aadsts7000222.json') as { status: number; body: unknown });
    expect(await runCli(['doctor', '--config', writeConfig(BASE_CONFIG)])).toBe(1);
    const text = printed();
    expect(text).toMatch(/^FAIL {2}token/m);
    expect(text).toContain('[AADSTS7000222] Entra refused the token request.');
    expect(text).toContain('cause: The client secret has expired (AADSTS7000222).');
    expect(text).toMatch(/fix: {3}Microsoft Entra admin center > App registrations/);
    expect(text).toContain('1 of 3 checks failed');
  });

  it('--json prints the report as data, with the same exit code', async () => {
    vi.stubEnv('DYNAMICS_CLIENT_SECRET', SECRET);
    mockToken();
    nock(ORG)
      .get(`${API}/WhoAmI()`)
      .reply(403, readFixture('dataverse-403-no-application-user.json') as nock.Body, JSON_HEADERS);
    expect(await runCli(['doctor', '--config', writeConfig(BASE_CONFIG), '--json'])).toBe(1);
    const report = JSON.parse(printed()) as { ok: boolean; steps: Array<{ step: string; status: string; code?: string }> };
    expect(report.ok).toBe(false);
    expect(report.steps.find((s) => s.step === 'whoami')).toMatchObject({ status: 'fail', code: '0x80072560' });
  });

  it('an unreadable config file is a failed config step and a file-system exit (3), not a crash', async () => {
    expect(await runCli(['doctor', '--config', join(dir, 'missing.json')])).toBe(3);
    expect(printed()).toMatch(/^FAIL {2}config/m);
  });

  it('without --config it is a usage error (exit 2)', async () => {
    expect(await runCli(['doctor'])).toBe(2);
    expect(printed()).toContain('doctor needs --config <file>.');
  });

  it('an unknown --hook kind is a usage error (exit 2) that names the kinds, before anything is checked', async () => {
    expect(await runCli(['doctor', '--config', writeConfig(BASE_CONFIG), '--hook', 'post'])).toBe(2);
    expect(printed()).toContain(`--hook of doctor must be ${kindList()}, not 'post'.`);
  });
});

describe('dynamics-hook try', () => {
  it('runs the built hook offline on an email and prints decision, object, log and time', async () => {
    expect(await runCli(['try', '--config', writeConfig(BASE_CONFIG), '--email', 'ada.lovelace@example.com'])).toBe(0);
    const text = printed();
    expect(text).toContain('try pre-registration (offline: recorded Entra and Dataverse responses)');
    expect(text).toContain('registration  a***e@example.com');
    expect(text).toContain('decision      allow (matched)');
    expect(text).toContain('answered      callback(new RegistrationData(...)), 1 call(s); the object:');
    expect(text).toContain('"givenName": "Ada"');
    expect(text).toContain('"contactId": "0f8fad5b-d9cb-469f-a165-70867728950e"');
    expect(text).toMatch(/"event":"registration.decided".*"reason":"matched"/);
    expect(text).toMatch(/^time {10}\d+\.\d ms for the registration/m);
    expect(text).not.toContain('ada.lovelace@example.com');
  });

  it('runs a payload file; --json carries the exact answer class', async () => {
    const payloads = join(dir, 'payloads');
    expect(await runCli(['payloads', '--out', payloads])).toBe(0);
    const config = writeConfig({ ...BASE_CONFIG, policy: { notFound: 'deny' } });
    output = [];
    expect(await runCli(['try', '--config', config, '--payload', join(payloads, '03-not-in-crm.json'), '--json'])).toBe(0);
    const report = JSON.parse(printed()) as { decision: string; reason: string; via: string; resultClass: string; calls: number };
    expect(report).toMatchObject({ decision: 'deny', reason: 'not_found', via: 'error', resultClass: 'ErrorDenyRequest', calls: 1 });
  });

  it('exits 1 when the hook could only answer because of a failure', async () => {
    const config = writeConfig({ ...BASE_CONFIG, enrich: {}, dataverse: { url: 'https://fabrikam.crm4.dynamics.com' } });
    // The stand-in serves fabrikam; a 403 is arranged ahead of it.
    nock('https://fabrikam.crm4.dynamics.com')
      .get(`${API}/contacts`)
      .query(true)
      .reply(403, readFixture('dataverse-403-no-application-user.json') as nock.Body, JSON_HEADERS);
    expect(await runCli(['try', '--config', config, '--email', 'ada.lovelace@example.com'])).toBe(1);
    expect(printed()).toContain('decision      showError (lookup_failed)');
  });

  it('--live needs the secret variable, named in the error', async () => {
    vi.stubEnv('DYNAMICS_CLIENT_SECRET', '');
    expect(await runCli(['try', '--config', writeConfig(BASE_CONFIG), '--email', 'ada.lovelace@example.com', '--live'])).toBe(1);
    expect(printed()).toContain('variable DYNAMICS_CLIENT_SECRET is not set');
  });

  it('needs exactly one of --email and --payload', async () => {
    expect(await runCli(['try', '--config', writeConfig(BASE_CONFIG)])).toBe(2);
  });

  it('--live --json masks the contact id and its link hash, as record scrubs ids; --show-ids prints them whole', async () => {
    vi.stubEnv('DYNAMICS_CLIENT_SECRET', SECRET);
    const config = writeConfig(BASE_CONFIG);
    const liveRun = async (...flags: string[]) => {
      mockToken();
      nock(ORG)
        .get(`${API}/contacts`)
        .query(true)
        .reply(200, readFixture('contacts-one.json') as nock.Body, JSON_HEADERS);
      output = [];
      expect(await runCli(['try', '--config', config, '--email', 'ada.lovelace@example.com', '--live', '--json', ...flags])).toBe(0);
      return (JSON.parse(printed()) as { result: { session: { dynamics: Record<string, string> } } }).result.session.dynamics;
    };

    const masked = await liveRun();
    expect(masked).toEqual({ contactId: '0f8fad5b-****-****-****-************', linkHash: '<link hash: 64 characters>' });
    expect(output.join('\n')).not.toContain('0f8fad5b-d9cb-469f-a165-70867728950e');

    const shown = await liveRun('--show-ids');
    expect(shown).toEqual({ contactId: '0f8fad5b-d9cb-469f-a165-70867728950e', linkHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('masks CRM-filled values in live mode and emails always', () => {
    const payload = { customer: { attributes: { emails: { primaryEmail: 'ada.lovelace@example.com' }, name: { givenName: 'Augusta' } } } };
    const result = {
      attributes: { emails: { primaryEmail: 'ada.lovelace@example.com' }, name: { givenName: 'Augusta', familyName: 'Lovelace' } },
      session: { dynamics: { contactId: 'x' } },
    };
    expect(maskForDisplay(result, payload, true)).toEqual({
      attributes: { emails: { primaryEmail: 'a***e@example.com' }, name: { givenName: 'Augusta', familyName: '<from the CRM: 8 characters>' } },
      session: { dynamics: { contactId: 'x' } },
    });
  });
});

describe('dynamics-hook payloads', () => {
  it('writes one Try Out payload per main case, each under 8,000 characters', async () => {
    const out = join(dir, 'payloads');
    expect(await runCli(['payloads', '--out', out, '--known-email', 'real.customer@example.org'])).toBe(0);
    const files = readdirSync(out).sort();
    expect(files).toEqual([
      '01-known-customer.json',
      '02-known-customer-name-typed.json',
      '03-not-in-crm.json',
      '04-not-in-crm-german.json',
      '05-two-contacts.json',
      '06-apostrophe.json',
      '07-invalid-email.json',
      '08-injection-attempt.json',
    ]);
    for (const file of files) {
      const text = readFileSync(join(out, file), 'utf8');
      expect(text.length).toBeLessThan(MAX_PAYLOAD_CHARACTERS);
      expect(JSON.parse(text)).toMatchObject({ customer: { attributes: { emails: {} } }, oidc_context: { ui_locales: expect.any(Array) as unknown } });
    }
    expect(JSON.parse(readFileSync(join(out, '01-known-customer.json'), 'utf8'))).toMatchObject({
      customer: { attributes: { emails: { primaryEmail: 'real.customer@example.org' } } },
    });
    expect(printed()).not.toContain('real.customer@example.org');
  });
});

describe('dynamics-hook record', () => {
  it('without --email it is a usage error (exit 2)', async () => {
    expect(await runCli(['record', '--config', writeConfig(BASE_CONFIG), '--out', dir])).toBe(2);
    expect(printed()).toContain('record needs --email <address>.');
  });

  it('an invalid --email is a usage error (exit 2) naming which one, masked', async () => {
    expect(
      await runCli([
        'record',
        '--config',
        writeConfig(BASE_CONFIG),
        '--out',
        dir,
        '--email',
        'ada.lovelace@example.com',
        '--email',
        'ada lovelace@example.com',
      ]),
    ).toBe(2);
    const text = printed();
    expect(text).toContain('--email #2 (a***e@example.com) is not a valid email address.');
    expect(text).not.toContain('ada lovelace');
  });
});
