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
import { initCommand, type InitIo, schemaReference } from '../../src/cli/init/command.js';
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
    });
    expect(await initCommand(['--out', out], io)).toEqual({ exitCode: 0 });
    expect(io.asked).toContain('Name of the variable that holds the client secret [DYNAMICS_CLIENT_SECRET]: ');
    expect(io.asked).toHaveLength(8);
    const config = parse(readFileSync(out, 'utf8'), [], { allowTrailingComma: true }) as {
      policy: Record<string, string>;
      auth: Record<string, string>;
      enrich: Record<string, string>;
    };
    expect(config.policy).toEqual({ notFound: 'showError', multipleMatches: 'allowMostRecent', onError: 'showError' });
    expect(config.auth['clientSecretVariable']).toBe('DYNAMICS_CLIENT_SECRET');
    expect(config.enrich).toEqual({ 'name.givenName': 'firstname', 'addresses.primary.city': 'address1_city' });
  });

  it('with --yes asks nothing, and names the flags still missing', async () => {
    const io = scriptedIo({});
    await expect(initCommand(['--out', join(dir, 'c.jsonc'), '--yes'], io)).rejects.toThrow(
      'init needs --url, --tenant, --client (with --yes nothing is asked).',
    );
    expect(io.asked).toEqual([]);
  });
});
