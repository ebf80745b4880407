/**
 * `dynamics-hook init`: a commented starter config from flags or prompts, that builds, with a
 * `$schema` reference, and never over an existing file without --force.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'jsonc-parser';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { initCommand, type InitIo, schemaReference } from '../../src/cli/commands/init/command.js';
import { runCli } from '../../src/cli/main.js';
import { CLIENT, TENANT } from '../support/helpers.js';

const SCHEMA = fileURLToPath(new URL('../../src/build/hook.config.schema.json', import.meta.url));
const FLAGS = ['--url', 'https://fabrikam.crm4.dynamics.com', '--tenant', TENANT, '--client', CLIENT];
let dir = '';
let output: string[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cli-init-'));
  output = [];
  const capture = (...parts: unknown[]) => output.push(parts.map(String).join(' '));
  vi.spyOn(console, 'log').mockImplementation(capture);
  vi.spyOn(console, 'error').mockImplementation(capture);
});

function scriptedIo(answers: Record<string, string>): InitIo & { asked: string[] } {
  const asked: string[] = [];
  return {
    interactive: true,
    asked,
    ask: async (question) => {
      asked.push(question);
      return Object.entries(answers).find(([start]) => question.startsWith(start))?.[1] ?? '';
    },
    close: () => undefined,
  };
}

describe('dynamics-hook init from flags', () => {
  it('writes a commented config that build --config accepts, for both hooks', async () => {
    const out = join(dir, 'hook.config.jsonc');
    expect(await runCli(['init', '--out', out, ...FLAGS, '--enrich', 'name.givenName=firstname', '--not-found', 'deny'])).toBe(0);
    expect(output[0]).toBe(`Wrote ${out}. Next:`);
    const text = readFileSync(out, 'utf8');
    expect(text).toMatch(/^\/\/ Strivacity hooks backed by Microsoft Dynamics 365/);
    expect(text).toContain('"notFound": "deny", // nobody in the CRM has the email: allow | showError | deny');
    const config = parse(text, [], { allowTrailingComma: true }) as Record<string, unknown>;
    expect(config).toMatchObject({
      dataverse: { url: 'https://fabrikam.crm4.dynamics.com' },
      auth: { tenantId: TENANT, clientId: CLIENT, clientSecretVariable: 'DYNAMICS_CLIENT_SECRET' },
      policy: { notFound: 'deny', multipleMatches: 'allowMostRecent', onError: 'showError' },
      enrich: { 'name.givenName': 'firstname' },
    });
    // The reference resolves from the config's folder to the schema shipped in the project.
    expect(resolve(dirname(out), config['$schema'] as string)).toBe(SCHEMA);
    output = [];
    expect(await runCli(['build', '--config', out, '--out', join(dir, 'pre.js')])).toBe(0);
    expect(await runCli(['build', '--config', out, '--hook', 'post-registration', '--out', join(dir, 'post.js')])).toBe(0);
    expect(existsSync(join(dir, 'post.js'))).toBe(true);
  });

  it('from the project root the schema is ./src/build/hook.config.schema.json', () => {
    expect(schemaReference(fileURLToPath(new URL('../../hook.config.jsonc', import.meta.url)))).toBe('./src/build/hook.config.schema.json');
  });

  it('without a terminal, the missing required values are a usage error naming their flags', async () => {
    const out = join(dir, 'hook.config.jsonc');
    expect(await runCli(['init', '--out', out, '--url', 'https://fabrikam.crm4.dynamics.com'])).toBe(2);
    expect(output).toEqual([
      "init needs --tenant, --client (input is not a terminal, so nothing can be asked). Run 'npx dynamics-hook init --help' for its options.",
    ]);
    expect(existsSync(out)).toBe(false);
  });

  it('a value the schema refuses is named by its flag, and nothing is written', async () => {
    const out = join(dir, 'hook.config.jsonc');
    expect(await runCli(['init', '--out', out, ...FLAGS, '--tenant', 'not-a-guid'])).toBe(2);
    expect(output).toEqual([
      "init cannot write a config that would not build: --tenant (auth.tenantId): must be a GUID. Run 'npx dynamics-hook init --help' for its options.",
    ]);
    expect(existsSync(out)).toBe(false);
  });

  it('keeps an existing file unless --force', async () => {
    const out = join(dir, 'hook.config.jsonc');
    writeFileSync(out, '{ "mine": true }\n');
    expect(await runCli(['init', '--out', out, ...FLAGS])).toBe(3);
    expect(output).toEqual([`${out} exists already; it was left as it is. Add --force to replace it, or choose another path.`]);
    expect(readFileSync(out, 'utf8')).toBe('{ "mine": true }\n');
    expect(await runCli(['init', '--out', out, ...FLAGS, '--force'])).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('"clientId":');
  });
});

describe('dynamics-hook init at a terminal', () => {
  it('asks for each missing value, offering the defaults', async () => {
    const out = join(dir, 'hook.config.jsonc');
    const io = scriptedIo({
      'Dataverse environment URL': 'https://fabrikam.crm4.dynamics.com',
      'Entra Directory': TENANT,
      'App registration': CLIENT,
      'Someone not in': 'showError',
      Attributes: 'name.givenName=firstname, addresses.primary.city=address1_city',
      'Gate every sign-in': 'y',
    });
    expect(await initCommand(['--out', out], io)).toEqual({ exitCode: 0 });
    expect(io.asked).toContain('Name of the variable that holds the client secret [DYNAMICS_CLIENT_SECRET]: ');
    // 8 values, then which gates: social sign-up (no) and sign-in (yes) name the build lines.
    expect(io.asked).toHaveLength(10);
    expect(output.filter((line) => line.includes(' build --config '))).toEqual(
      ['pre-registration', 'post-registration', 'post-identification'].map((kind) => `  npx dynamics-hook build --config ${out} --hook ${kind}`),
    );
    const config = parse(readFileSync(out, 'utf8'), [], { allowTrailingComma: true }) as {
      policy: Record<string, string>;
      auth: Record<string, string>;
      enrich: Record<string, string>;
    };
    expect(config.policy).toEqual({ notFound: 'showError', multipleMatches: 'allowMostRecent', onError: 'showError' });
    expect(config.auth['clientSecretVariable']).toBe('DYNAMICS_CLIENT_SECRET');
    // Merged over the defaults the prompt showed: one pair added, the three defaults kept.
    expect(config.enrich).toEqual({
      'name.givenName': 'firstname',
      'name.familyName': 'lastname',
      'phoneNumbers.primaryPhoneNumber': 'mobilephone',
      'addresses.primary.city': 'address1_city',
    });
  });

  it('checks each answer as it is given, and asks again with the reason (never naming a flag)', async () => {
    const out = join(dir, 'hook.config.jsonc');
    const replies = ['http://fabrikam.crm4.dynamics.com', 'https://fabrikam.crm4.dynamics.com', 'not-a-guid', TENANT, '', CLIENT, 'MY-SECRET', '', 'block'];
    const asked: string[] = [];
    const io: InitIo = { interactive: true, ask: async (question) => (asked.push(question), replies.shift() ?? ''), close: () => undefined };
    expect(await initCommand(['--out', out], io)).toEqual({ exitCode: 0 });
    expect(output.filter((line) => line.startsWith('  ') && line.endsWith('please answer again.'))).toEqual([
      '  must use https, e.g. https://contoso.crm4.dynamics.com: please answer again.',
      '  must be a GUID: please answer again.',
      '  an answer is needed: please answer again.',
      '  must be a variable name (letters, digits, _): please answer again.',
      '  must be one of allow, showError, deny: please answer again.',
    ]);
    expect(output.join('\n')).not.toMatch(/--(url|tenant|client|secret-variable|not-found)\b/);
    // Each refused question was asked twice, then the rest once: 8 questions, 5 asked again, 2 gates.
    expect(asked).toHaveLength(15);
    const config = parse(readFileSync(out, 'utf8'), [], { allowTrailingComma: true }) as { policy: Record<string, string>; dataverse: { url: string } };
    expect(config.dataverse.url).toBe('https://fabrikam.crm4.dynamics.com');
    expect(config.policy['notFound']).toBe('allow');
  });

  it.each([
    ['', { 'name.givenName': 'firstname', 'name.familyName': 'lastname', 'phoneNumbers.primaryPhoneNumber': 'mobilephone' }],
    ['-', {}],
    ['name.givenName=nickname, phoneNumbers.primaryPhoneNumber=-', { 'name.givenName': 'nickname', 'name.familyName': 'lastname' }],
  ])('merges the enrich answer %j over the defaults it shows', async (answer, expected) => {
    const out = join(dir, 'hook.config.jsonc');
    const io = scriptedIo({ Attributes: answer });
    expect(await initCommand(['--out', out, ...FLAGS], io)).toEqual({ exitCode: 0 });
    expect(io.asked.find((question) => question.startsWith('Attributes'))).toContain(
      'Add or change path=column pairs (commas between; path=- drops one; - for none) [keep these]: ',
    );
    expect((parse(readFileSync(out, 'utf8'), [], { allowTrailingComma: true }) as { enrich: unknown }).enrich).toEqual(expected);
  });

  it('asks again for an enrich answer that would not build, naming the pair', async () => {
    const replies = ['name.givenNmae=firstname', 'name.givenName', 'name.givenName=nickname'];
    const io: InitIo = { interactive: true, ask: async () => replies.shift() ?? '', close: () => undefined };
    expect(
      await initCommand(
        [
          '--out',
          join(dir, 'c.jsonc'),
          ...FLAGS,
          '--secret-variable',
          'DYNAMICS_CLIENT_SECRET',
          '--not-found',
          'allow',
          '--multiple-matches',
          'deny',
          '--on-error',
          'deny',
        ],
        io,
      ),
    ).toEqual({
      exitCode: 0,
    });
    expect(output.slice(0, 2)).toEqual([
      '  enrich.name.givenNmae: unknown attribute, did you mean name.givenName? (custom attributes go under custom.<name>): please answer again.',
      '  each pair must be <attribute path>=<column>, e.g. name.givenName=firstname: please answer again.',
    ]);
  });

  it('lets Ctrl-C or Ctrl-D at a prompt through as the AbortError readline rejects with, and writes nothing', async () => {
    const out = join(dir, 'hook.config.jsonc');
    const aborted = Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' });
    const io: InitIo = { interactive: true, ask: () => Promise.reject(aborted), close: () => undefined };
    await expect(initCommand(['--out', out], io)).rejects.toBe(aborted);
    expect(existsSync(out)).toBe(false);
  });

  it('with --yes asks nothing, and names the flags still missing', async () => {
    const io = scriptedIo({});
    await expect(initCommand(['--out', join(dir, 'c.jsonc'), '--yes'], io)).rejects.toThrow(
      'init needs --url, --tenant, --client (with --yes nothing is asked).',
    );
    expect(io.asked).toEqual([]);
  });
});
