/**
 * What every CLI command shares: the usage error (exit code 2) and reading a JSON file. Kept apart
 * from `cli.ts` so that command modules can use them without importing the command table, which
 * imports them (an import cycle would leave the table's entries uninitialised in tests).
 */
import { readFileSync } from 'node:fs';
import { parse, type ParseError, printParseErrorCode } from 'jsonc-parser';
import { CliError, fileError } from './errors.js';

/** A mistake in how the command was called: one line and a pointer to `--help`, exit code 2. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';

  constructor(message: string) {
    super('usage', message);
  }
}

/**
 * Reads and parses a config file as JSONC: comments and trailing commas are allowed, as in the
 * README's examples. A syntax error names the file, the line and the column, never the content.
 */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw fileError('read', path, error);
  }
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  const [first] = errors;
  if (first === undefined) return value;
  const { line, column } = lineAndColumn(text, first.offset);
  // An input file that is wrong, not a command typed wrong: exit code 1, without a pointer to --help.
  throw new CliError(
    'input',
    `${path} is not valid JSON (comments and trailing commas are allowed): line ${line}, column ${column}: ${describeParseError(first)}.`,
  );
}

/** 1-based line and column of a character offset, counting `\r\n` as one line break. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split(/\r\n|\r|\n/);
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

/** jsonc-parser's code in words: `CommaExpected` -> "comma expected". */
function describeParseError(error: ParseError): string {
  return printParseErrorCode(error.error)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
}
