/**
 * The command line's own error model, for tooling failures (a path that cannot be written, a
 * command typed wrong, an input file of the wrong shape). The hook's `HookError` stays what the
 * hook reports about Entra, Dataverse and the config; this one is what the operator's tool reports
 * about itself. Each kind has one exit code, documented in the usage text (`EXIT_CODES`).
 *
 * Messages are fixed text plus paths and option names the operator typed: never a file's content,
 * a secret or an email.
 */

/** Exit codes of every command: the table printed by `dynamics-hook --help`. */
export const EXIT_CODES = {
  /** Everything checked is fine. */
  ok: 0,
  /** A check, lookup or decision failed, or the config or an input file is invalid. */
  failed: 1,
  /** The command was called wrong: unknown command or option, a missing or bad flag. */
  usage: 2,
  /** A file or folder could not be read, written or created. */
  file: 3,
  /** A bug in the command line itself. */
  internal: 4,
  /** Interrupted (Ctrl-C) after cleaning up, as shells report SIGINT. */
  interrupted: 130,
} as const;

/** `api`: the Strivacity Admin API refused or failed a request (`strivacity/problem.ts`). */
export type CliErrorKind = 'usage' | 'file' | 'input' | 'api' | 'interrupted';

const EXIT_CODE_OF: Record<CliErrorKind, number> = {
  usage: EXIT_CODES.usage,
  file: EXIT_CODES.file,
  input: EXIT_CODES.failed,
  api: EXIT_CODES.failed,
  interrupted: EXIT_CODES.interrupted,
};

export class CliError extends Error {
  override readonly name: string = 'CliError';
  readonly kind: CliErrorKind;

  constructor(kind: CliErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
  }

  get exitCode(): number {
    return EXIT_CODE_OF[this.kind];
  }
}

/** What the operator was doing with a path, for the one-line message. */
export type FileOperation = 'read' | 'write' | 'create folder';

/**
 * A Node file-system error as one line naming the path and what to do. `hint` replaces the
 * generic advice where the command knows better (e.g. "give a file name" for `build --out`).
 */
export function fileError(operation: FileOperation, path: string, error: unknown, hint?: string): CliError {
  const code = (error as { code?: unknown } | undefined)?.code;
  const [problem, advice] = describeFileProblem(operation, typeof code === 'string' ? code : undefined);
  return new CliError('file', `Cannot ${operation} ${path}: ${problem}. ${hint ?? advice}`, { cause: error });
}

function describeFileProblem(operation: FileOperation, code: string | undefined): [string, string] {
  switch (code) {
    case 'ENOENT':
      return operation === 'read' ? ['no such file', 'Check the path.'] : ['a folder on the way does not exist', 'Create it first or choose another path.'];
    case 'EISDIR':
      return ['it is a folder, not a file', 'Give a file path.'];
    case 'ENOTDIR':
      return ['a part of the path is a file, not a folder', 'Choose a path whose folders are folders.'];
    case 'EEXIST':
      return ['a file of that name exists', 'Give the path of a folder (new or existing), not of a file.'];
    case 'EACCES':
    case 'EPERM':
      return ['permission denied', 'Choose a place you may write to, or change its permissions.'];
    case 'EROFS':
      return ['the file system is read-only', 'Choose a writable place.'];
    case 'ENOSPC':
      return ['the disk is full', 'Free some space and run again.'];
    default:
      return [code === undefined ? 'it failed' : `it failed (${code})`, 'Check the path and its permissions.'];
  }
}

/** A mistake in how the command was called: one line and a pointer to `--help`, exit code 2. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';

  constructor(message: string) {
    super('usage', message);
  }
}
