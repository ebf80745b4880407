/**
 * File-system reads and writes of the commands, translated into one-line `CliError`s (exit code 3) instead
 * of Node's stack traces.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { parse, type ParseError, printParseErrorCode } from 'jsonc-parser';
import { CliError, fileError } from './errors.js';

/** Creates `dir` and its parents; a file in the way is named, not thrown as `EEXIST`. */
export function makeFolder(dir: string, hint?: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw fileError('create folder', dir, error, hint);
  }
}

export interface WriteOptions {
  /** Replace an existing file (default true); false refuses with a message naming `forceFlag`. */
  readonly overwrite?: boolean;
  /** The flag that allows overwriting, named in the refusal (e.g. `--force`). */
  readonly forceFlag?: string;
  /** Advice for an `EISDIR` (and other) failures, e.g. "Give a file name such as ...". */
  readonly hint?: string;
}

/** Writes `text` to `path`; every failure is a `CliError` naming the path and what to do. */
export function writeTextFile(path: string, text: string, options: WriteOptions = {}): void {
  const overwrite = options.overwrite ?? true;
  try {
    // `wx` fails with EEXIST instead of replacing: no window between a check and the write.
    writeFileSync(path, text, { flag: overwrite ? 'w' : 'wx' });
  } catch (error) {
    if (!overwrite && (error as { code?: unknown }).code === 'EEXIST') {
      throw new CliError('file', `${path} exists already; it was left as it is. Add ${options.forceFlag ?? '--force'} to replace it, or choose another path.`, {
        cause: error,
      });
    }
    throw fileError('write', path, error, options.hint);
  }
}

/** True when `path` names an existing folder (a trailing `/` counts, existing or not). */
export function looksLikeFolder(path: string): boolean {
  if (path.endsWith('/') || path.endsWith('\\')) return true;
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
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
