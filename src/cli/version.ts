/** `dynamics-hook --version`: the project version, and the git commit when run from a checkout. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** `1.0.0 (commit 60fa580)`, or `1.0.0` where there is no git checkout (an unpacked tarball). */
export function versionLine(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  const commit = gitCommit();
  return commit === undefined ? manifest.version : `${manifest.version} (commit ${commit})`;
}

function gitCommit(): string | undefined {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: PROJECT_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (!/^[0-9a-f]{4,40}$/.test(commit)) return undefined;
    // A checkout with local changes is not that commit: say so, as the build header should.
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return dirty.trim() === '' ? commit : `${commit}, with local changes`;
  } catch {
    // No git, or not a repository: the version alone.
    return undefined;
  }
}
