/**
 * The command line's failures: one line, a documented exit code, never a stack trace; help on
 * every command; did-you-mean for commands and options.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { reportFailure, runCli } from '../../src/cli/main.js';
import { CliError, EXIT_CODES, fileError } from '../../src/cli/errors.js';
import { COMMAND_LIST } from '../../src/cli/commands/table.js';
import { summariseRecording } from '../../src/cli/commands/record/command.js';
import type { RecordedLookup } from '../../src/cli/commands/record/record.js';
import { BASE_CONFIG } from '../support/helpers.js';

let dir = '';
let stdout: string[] = [];
let stderr: string[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cli-errors-'));
  stdout = [];
  stderr = [];
  vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => stdout.push(parts.map(String).join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => stderr.push(parts.map(String).join(' ')));
});

function writeConfig(): string {
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(BASE_CONFIG));
  return file;
}

describe('help', () => {
  it.each([['-h'], ['--help'], ['help']])('%s at the top level prints the overview with the exit codes and exits 0', async (flag) => {
    expect(await runCli([flag])).toBe(0);
    const text = stdout.join('\n');
    expect(text).toContain('Usage: dynamics-hook <command> [options]');
    expect(text).toContain('  2  usage: unknown command or option, missing or bad flag');
    expect(text).toContain('  3  a file or folder could not be read, written or created');
    expect(stderr).toEqual([]);
  });

  it.each(COMMAND_LIST.map((command) => command.name).flatMap((name) => [[name, '-h'] as const, [name, '--help'] as const]))(
    "%s %s prints that command's usage and exits 0",
    async (name, flag) => {
      expect(await runCli([name, flag])).toBe(0);
      expect(stdout.join('\n')).toMatch(new RegExp(`^Usage: dynamics-hook ${name} `));
    },
  );

  it('no command at all is a usage error (exit 2) that shows the overview', async () => {
    expect(await runCli([])).toBe(2);
    expect(stderr.join('\n')).toMatch(/^dynamics-hook needs a command\.\n\nUsage: dynamics-hook <command>/);
  });

  it('--version prints the package version, and the commit in a git checkout', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(await runCli(['--version'])).toBe(0);
    expect(stdout.join('\n')).toMatch(new RegExp(`^dynamics-hook ${version.replaceAll('.', '\\.')}( \\(commit [0-9a-f]{4,40}(, with local changes)?\\))?$`));
  });
});

describe('typos', () => {
  it('an unknown command gets the nearest command and exit 2', async () => {
    expect(await runCli(['doctr'])).toBe(2);
    expect(stderr).toEqual(["unknown command 'doctr', did you mean 'doctor'? Run 'npx dynamics-hook --help' for the commands."]);
  });

  it('an unknown option gets the nearest option of that command and exit 2', async () => {
    expect(await runCli(['build', '--config', writeConfig(), '--hok', 'post-registration'])).toBe(2);
    expect(stderr).toEqual(["unknown option '--hok' for build, did you mean '--hook'? Run 'npx dynamics-hook build --help' for its options."]);
  });

  it('an option without its value says which one, exit 2', async () => {
    expect(await runCli(['try', '--config'])).toBe(2);
    expect(stderr).toEqual(["option '--config' of try needs a value. Run 'npx dynamics-hook try --help' for its options."]);
  });
});

describe('file-system problems are one line and exit 3', () => {
  it('build --out a folder names the folder and suggests a file path', async () => {
    expect(await runCli(['build', '--config', writeConfig(), '--out', `${dir}/`])).toBe(EXIT_CODES.file);
    expect(stderr).toEqual([`Cannot write ${dir}/: it is a folder, not a file. Give a file path, e.g. --out ${dir}/pre-registration.hook.js.`]);
  });

  it('payloads --out a file says a file of that name exists', async () => {
    const file = writeConfig();
    expect(await runCli(['payloads', '--out', file])).toBe(EXIT_CODES.file);
    expect(stderr).toEqual([`Cannot create folder ${file}: a file of that name exists. Give --out the path of a folder (new or existing), not of a file.`]);
  });

  it('a missing config file names the path', async () => {
    expect(await runCli(['build', '--config', join(dir, 'missing.json')])).toBe(EXIT_CODES.file);
    expect(stderr).toEqual([`Cannot read ${join(dir, 'missing.json')}: no such file. Check the path.`]);
  });

  it('a file where the output folder should be is named', async () => {
    const file = writeConfig();
    expect(await runCli(['build', '--config', file, '--out', join(file, 'hook.js')])).toBe(EXIT_CODES.file);
    expect(stderr).toEqual([`Cannot create folder ${file}: a file of that name exists. Give the path of a folder (new or existing), not of a file.`]);
  });

  it('a permission error reads as one line with advice (EACCES; root ignores modes, so the error is given)', () => {
    const error = fileError('write', '/srv/hooks/pre.js', Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }));
    expect(error).toBeInstanceOf(CliError);
    expect(error.exitCode).toBe(3);
    expect(error.message).toBe('Cannot write /srv/hooks/pre.js: permission denied. Choose a place you may write to, or change its permissions.');
  });
});

describe('record after a failed lookup', () => {
  it('counts the failed lookups beside the files instead of reporting success', () => {
    const lookups = [{ outcome: { matches: 1 } }, { outcome: { failure: 'forbidden', status: 403 } }] as unknown as RecordedLookup[];
    expect(summariseRecording(3, 'fixtures', lookups)).toBe(
      'Wrote 3 files to fixtures (scrubbed: placeholder org, fake ids and personal data), but 1 of 2 lookup(s) FAILED (above): their files hold the failed exchange, not a contact. Fix the cause and record again.',
    );
    expect(summariseRecording(3, 'fixtures', lookups.slice(0, 1))).toBe('Wrote 3 files to fixtures (scrubbed: placeholder org, fake ids and personal data).');
  });
});

describe('Ctrl-C or Ctrl-D at a prompt', () => {
  it.each([
    ['Ctrl-C (readline rejects with AbortError)', Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' })],
    ['Ctrl-D (the interface closed under the question)', Object.assign(new Error('readline was closed'), { code: 'ERR_USE_AFTER_CLOSE' })],
  ])('%s exits 130 quietly: no "bug" line, no stack', (_, error) => {
    expect(reportFailure({ name: 'init' }, error)).toBe(EXIT_CODES.interrupted);
    expect(stderr).toEqual([]);
    expect(stdout).toEqual([]);
  });

  it('any other unexpected error is still reported as a bug (exit 4)', () => {
    expect(reportFailure({ name: 'init' }, new TypeError('x is not a function'))).toBe(EXIT_CODES.internal);
    expect(stderr.join('\n')).toContain('This is a bug');
  });
});
