/**
 * A mistyped column is named offline: `build` and `try` compare the configured columns with the
 * recorded contact metadata and warn on stderr, with a "did you mean" for a near miss. The exit
 * code stays 0: the recording knows only some standard columns, and none of an environment's
 * custom ones, so only `doctor` (live) can say a column does not exist.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { unknownColumnWarnings } from '../../src/cli/recorded-columns.js';
import { parseConfig } from '../../src/hook/config.js';
import { BASE_CONFIG, configWith } from '../support/helpers.js';

const TYPO = configWith({ enrich: { 'name.givenName': 'firstname', 'phoneNumbers.primaryPhoneNumber': 'mobilphone' } });
let dir = '';
let stdout: string[] = [];
let stderr: string[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cli-columns-'));
  stdout = [];
  stderr = [];
  vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => stdout.push(parts.map(String).join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => stderr.push(parts.map(String).join(' ')));
});

function writeConfig(config: unknown): string {
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

const TYPO_WARNING =
  'warning: enrich.phoneNumbers.primaryPhoneNumber: column mobilphone is not a contact column, did you mean mobilephone? Live, every lookup would fail (HTTP 400); doctor checks the environment.';

describe('unknownColumnWarnings', () => {
  it('says nothing about recorded columns', () => {
    expect(unknownColumnWarnings(parseConfig(BASE_CONFIG))).toEqual([]);
  });

  it('suggests the recorded column a typo is near, and notes a custom column it cannot know', () => {
    const config = parseConfig(configWith({ enrich: { 'phoneNumbers.primaryPhoneNumber': 'mobilphone', 'custom.tier': 'cr123_loyaltytier' } }));
    expect(unknownColumnWarnings(config)).toEqual([
      TYPO_WARNING,
      'warning: enrich.custom.tier: column cr123_loyaltytier is not in the recorded contact metadata (standard columns only); run doctor to check it exists in your environment.',
    ]);
  });

  it('checks the columns sync writes, when sync is set', () => {
    const config = parseConfig(configWith({ sync: { columns: { lastnme: 'name.familyName' } } }));
    expect(unknownColumnWarnings(config)).toEqual([
      'warning: sync.columns.lastnme: column lastnme is not a contact column, did you mean lastname? Live, every lookup would fail (HTTP 400); doctor checks the environment.',
    ]);
  });
});

describe('build and try with a mistyped column', () => {
  it('build writes the hook, warns on stderr, and exits 0', async () => {
    expect(await runCli(['build', '--config', writeConfig(TYPO), '--out', join(dir, 'hook.js')])).toBe(0);
    expect(stderr).toEqual([TYPO_WARNING]);
    expect(stdout.join('\n')).not.toContain('warning');
  });

  it('try offline warns on stderr and still runs the registration', async () => {
    expect(await runCli(['try', '--config', writeConfig(TYPO), '--email', 'ada.lovelace@example.com'])).toBe(0);
    expect(stderr).toEqual([TYPO_WARNING]);
    expect(stdout.join('\n')).toContain('allow');
  });

  it('build says nothing when every column is recorded', async () => {
    expect(await runCli(['build', '--config', writeConfig(BASE_CONFIG), '--out', join(dir, 'hook.js')])).toBe(0);
    expect(stderr).toEqual([]);
  });
});
