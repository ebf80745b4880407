/**
 * One contract for every command, checked from the declarations themselves: strict options (an
 * unknown, misspelt or value-less option is exit 2 with one line and no stack trace), the
 * documented exit codes on a real case each, and a README that names every declared flag.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { shownArgs } from '../../src/cli/args.js';
import { COMMAND_LIST } from '../../src/cli/commands/table.js';
import { EXIT_CODES } from '../../src/cli/errors.js';
import { runCommand } from '../support/cli.js';
import { BASE_CONFIG } from '../support/helpers.js';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cli-contract-'));
});

function expectOneUsageLine(run: { code: number; stdout: string; stderr: string }, command: string): void {
  expect(run.code).toBe(EXIT_CODES.usage);
  expect(run.stdout).toBe('');
  expect(run.stderr.split('\n')).toHaveLength(1);
  expect(run.stderr).toContain(`Run 'npx dynamics-hook ${command} --help' for its options.`);
  expect(run.stderr).not.toMatch(/\bat .*\(.*:\d+:\d+\)|This is a bug/);
}

/** A string option of the command, to drop its value; and one of its names with a letter left out. */
function stringOption(command: (typeof COMMAND_LIST)[number]): string | undefined {
  return shownArgs(command.args).find(([, def]) => def.type === 'string')?.[0];
}

describe.each(COMMAND_LIST.map((command) => [command.name, command] as const))('%s', (name, command) => {
  it('refuses an unknown option with exit 2, one line, no stack trace', async () => {
    const run = await runCommand([name, '--frobnicate']);
    expectOneUsageLine(run, name);
    expect(run.stderr).toMatch(/^unknown option '--frobnicate' for /);
  });

  it('refuses a misspelt option with "did you mean"', async () => {
    const [first] = shownArgs(command.args)
      .map(([option]) => option)
      .filter((option) => option.length > 3);
    const misspelt = `${first?.slice(0, 1)}${first?.slice(2)}`;
    const run = await runCommand([name, `--${misspelt}`, 'x']);
    expectOneUsageLine(run, name);
    expect(run.stderr).toContain(`did you mean '--${first}'?`);
  });

  it('refuses an option without its value', async () => {
    const option = stringOption(command);
    expect(option).toBeDefined();
    const run = await runCommand([name, `--${option}`]);
    expectOneUsageLine(run, name);
    expect(run.stderr).toMatch(new RegExp(`^option '--${option}' of ${name} needs a value\\.`));
  });

  it('refuses a value given to a flag', async () => {
    const flag = shownArgs(command.args).find(([, def]) => def.type === 'boolean')?.[0];
    if (flag === undefined) return;
    expectOneUsageLine(await runCommand([name, `--${flag}=1`]), name);
  });

  it('--help shows every declared option', async () => {
    const run = await runCommand([name, '--help']);
    expect(run.code).toBe(0);
    for (const [option] of shownArgs(command.args)) expect(run.stdout).toContain(`--${option}`);
  });
});

describe('the README', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  it.each(COMMAND_LIST.map((command) => [command.name, command] as const))("names every declared option of %s in the command table's row", (name, command) => {
    // The scopes table has rows that start with a command too: the row that lists options is the one.
    const rows = readme.split('\n').filter((line) => line.startsWith(`| \`${name}\` |`));
    const missing = (row: string) => shownArgs(command.args).filter(([option]) => !row.includes(`--${option}`));
    expect(
      rows.map(missing).find((list) => list.length === 0),
      `a README row for ${name} naming every option`,
    ).toEqual([]);
  });
});

describe('the documented exit codes, one real case each', () => {
  function config(): string {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(BASE_CONFIG));
    return file;
  }

  it('0: payloads writes its samples', async () => {
    expect((await runCommand(['payloads', '--out', join(dir, 'p')])).code).toBe(EXIT_CODES.ok);
  });

  it('1: an invalid config', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ ...BASE_CONFIG, policy: { notFound: 'maybe' } }));
    expect((await runCommand(['build', '--config', file, '--out', join(dir, 'h.js')])).code).toBe(EXIT_CODES.failed);
  });

  it('2: a missing or non-https --strivacity', async () => {
    expect((await runCommand(['probe', '--config', config()])).code).toBe(EXIT_CODES.usage);
    expect((await runCommand(['logs', '--strivacity', 'http://tenant.strivacity.com'])).code).toBe(EXIT_CODES.usage);
  });

  it("2: the config's strivacity section is read when the flags are left out, and checked", async () => {
    const file = join(dir, 'with-tenant.json');
    writeFileSync(file, JSON.stringify({ ...BASE_CONFIG, strivacity: { url: 'http://tenant.strivacity.com' } }));
    const probe = await runCommand(['probe', '--config', file]);
    expect(probe.code).toBe(EXIT_CODES.usage);
    expect(probe.stderr).toMatch(/^--strivacity must be an https URL/);
    writeFileSync(file, JSON.stringify({ ...BASE_CONFIG, strivacity: { url: 'https://tenant.strivacity.com', hookNames: { 'post-identificaton': 'Gate' } } }));
    const logs = await runCommand(['logs', '--config', file]);
    expect(logs.code).toBe(EXIT_CODES.usage);
    expect(logs.stderr).toMatch(/^strivacity\.hookNames has 'post-identificaton', which is not a hook kind: did you mean 'post-identification'\?/);
  });

  it('2: a period that reaches before 1970', async () => {
    const run = await runCommand(['logs', '--strivacity', 'https://tenant.strivacity.com', '--since', '99999999999999999999d']);
    expectOneUsageLine(run, 'logs');
  });

  it('3: deploy --file that does not exist', async () => {
    const run = await runCommand(['deploy', '--strivacity', 'https://tenant.strivacity.com', '--config', config(), '--file', join(dir, 'nope.js')]);
    expect(run.code).toBe(EXIT_CODES.file);
    expect(run.stderr).toBe(`Cannot read ${join(dir, 'nope.js')}: no such file. Check the path.`);
  });

  it('3: tryout --payloads a folder that does not exist', async () => {
    const run = await runCommand(['tryout', '--strivacity', 'https://tenant.strivacity.com', '--config', config(), '--payloads', join(dir, 'missing')]);
    expect(run.code).toBe(EXIT_CODES.file);
    expect(run.stderr).toBe(`Cannot read ${join(dir, 'missing')}: no such file. Check the path.`);
  });
});
