/**
 * File-system writes of the commands, translated into one-line `CliError`s (exit code 3) instead
 * of Node's stack traces.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
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
