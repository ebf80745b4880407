/** Which build a pasted file is: version, commit (dirty or unknown) and config hash. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configHash, gitCommit, projectVersion, readProvenance } from '../../src/build/provenance.js';

/** A throw-away directory with a package.json, outside any git work tree. */
function project(version: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'provenance-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x', version }));
  return dir;
}

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], {
    cwd: dir,
    encoding: 'utf8',
  }).trim();
}

describe('provenance', () => {
  it('reads the version from package.json', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(projectVersion()).toBe(manifest.version);
    expect(projectVersion(project('2.3.4'))).toBe('2.3.4');
  });

  it('says unknown where there is no git repository', () => {
    expect(gitCommit(project('1.0.0'))).toBe('unknown');
  });

  it('gives the commit of a clean work tree, and marks a changed one -dirty', () => {
    const dir = project('1.0.0');
    git(dir, 'init', '-q');
    git(dir, 'add', 'package.json');
    git(dir, 'commit', '-q', '-m', 'first');
    const head = git(dir, 'rev-parse', 'HEAD');
    expect(readProvenance(dir)).toEqual({ version: '1.0.0', commit: head });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x', version: '1.0.1' }));
    expect(readProvenance(dir)).toEqual({ version: '1.0.1', commit: `${head}-dirty` });
  });

  it('hashes the config by content: key order does not matter, a changed value does', () => {
    const hash = configHash({ policy: { notFound: 'deny', timeoutMs: 2500 }, logLevel: 'info' });
    expect(hash).toMatch(/^[0-9a-f]{12}$/);
    expect(configHash({ logLevel: 'info', policy: { timeoutMs: 2500, notFound: 'deny' } })).toBe(hash);
    expect(configHash({ logLevel: 'info', policy: { timeoutMs: 2500, notFound: 'allow' } })).not.toBe(hash);
  });
});
