/**
 * What every CLI command shares: the usage error (exit code 2) and reading a JSON file. Kept apart
 * from `cli.ts` so that command modules can use them without importing the command table, which
 * imports them (an import cycle would leave the table's entries uninitialised in tests).
 */
import { readFileSync } from 'node:fs';

/** A mistake in how the command was called: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Reads and JSON-parses a config file; the error names the file, never its content. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`Cannot read ${path}.`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${path} is not valid JSON.`);
  }
}
