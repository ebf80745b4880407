/**
 * Which build a pasted file is: the project version, the git commit it was built from, and a hash
 * of its config. Printed in every built file's header, so an administrator can tell from the
 * Strivacity console which build runs, and compare it with the files kept for a roll back.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Provenance {
  /** `version` from package.json. */
  readonly version: string;
  /** The commit's full hash, `<hash>-dirty` when the work tree has changes, `unknown` without git. */
  readonly commit: string;
}

/** The project version from package.json (also what `dynamics-hook --version` prints). */
export function projectVersion(root: string = PROJECT_ROOT): string {
  const manifest = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { version?: unknown };
  if (typeof manifest.version !== 'string') throw new Error('package.json has no version.');
  return manifest.version;
}

/**
 * The commit checked out in `directory`. A build from a clone with edits is marked `-dirty`: its
 * code may differ from the commit. No git (a zip download, git not installed) gives `unknown`.
 */
export function gitCommit(directory: string = PROJECT_ROOT): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: directory, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const commit = git('rev-parse', '--verify', 'HEAD');
    return git('status', '--porcelain', '--untracked-files=no') === '' ? commit : `${commit}-dirty`;
  } catch {
    return 'unknown';
  }
}

export function readProvenance(root: string = PROJECT_ROOT): Provenance {
  return { version: projectVersion(root), commit: gitCommit(root) };
}

/**
 * First 12 hex digits of the SHA-256 of the config as canonical JSON (keys sorted at every level),
 * so the same settings give the same hash whatever their order in the file.
 */
export function configHash(config: unknown): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 12);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  const entries = Object.entries(value)
    .filter(([, child]) => child !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, child]) => `${JSON.stringify(key)}:${canonicalJson(child)}`).join(',')}}`;
}
