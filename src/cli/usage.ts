/**
 * What every CLI command shares: the usage error (exit code 2) and reading a JSON file. Kept apart
 * from `cli.ts` so that command modules can use them without importing the command table, which
 * imports them (an import cycle would leave the table's entries uninitialised in tests).
 */
import { readFileSync } from 'node:fs';
import { CliError, fileError } from './errors.js';

/** A mistake in how the command was called: one line and a pointer to `--help`, exit code 2. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';

  constructor(message: string) {
    super('usage', message);
  }
}

/** Reads and JSON-parses a config file; the error names the file, never its content. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw fileError('read', path, error);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${path} is not valid JSON.`);
  }
}
