/**
 * Config files are JSONC, as the README's examples are: comments and trailing commas parse, and a
 * syntax error names the line and the column (issue 11: "...is not valid JSON." with neither).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError } from '../../src/cli/errors.js';
import { readJsonFile } from '../../src/cli/files.js';

const dir = mkdtempSync(join(tmpdir(), 'jsonc-'));

function fileWith(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function refusalOf(path: string): CliError {
  try {
    readJsonFile(path);
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ kind: 'input', exitCode: 1 });
    return error as CliError;
  }
  throw new Error('expected the file to be refused');
}

describe('readJsonFile', () => {
  it('reads comments and trailing commas', () => {
    const path = fileWith(
      'commented.json',
      '{\n  // the environment\n  "dataverse": { "url": "https://fabrikam.crm4.dynamics.com", },\n  /* policies */ "policy": { "notFound": "deny" },\n}\n',
    );
    expect(readJsonFile(path)).toEqual({ dataverse: { url: 'https://fabrikam.crm4.dynamics.com' }, policy: { notFound: 'deny' } });
  });

  it('names the line and the column of a missing comma', () => {
    const path = fileWith('missing-comma.json', '{\n  "logLevel": "info"\n  "enrichOverwrite": true\n}\n');
    expect(refusalOf(path).message).toBe(`${path} is not valid JSON (comments and trailing commas are allowed): line 3, column 3: comma expected.`);
  });

  it('counts Windows line ends as one line break', () => {
    const path = fileWith('crlf.json', '{\r\n  "logLevel": "info",\r\n  "enrichOverwrite": tru\r\n}\r\n');
    expect(refusalOf(path).message).toBe(`${path} is not valid JSON (comments and trailing commas are allowed): line 3, column 22: invalid symbol.`);
  });

  it('refuses an empty file at line 1, column 1', () => {
    const path = fileWith('empty.json', '');
    expect(refusalOf(path).message).toBe(`${path} is not valid JSON (comments and trailing commas are allowed): line 1, column 1: value expected.`);
  });

  it('never repeats the content of the file in the error', () => {
    const path = fileWith('secret.json', '{ "auth": { "clientSecretVariable": "S3cr3t~value" "x": 1 } }');
    const refusal = refusalOf(path);
    expect(refusal.message).toMatch(/: line 1, column 52: comma expected\.$/);
    expect(refusal.message).not.toContain('S3cr3t');
  });

  it('says when the file cannot be read: a file-system error (exit code 3), not a usage error', () => {
    const path = join(dir, 'absent.json');
    let failure: unknown;
    try {
      readJsonFile(path);
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(CliError);
    expect(failure).toMatchObject({ kind: 'file', exitCode: 3, message: `Cannot read ${path}: no such file. Check the path.` });
  });
});
