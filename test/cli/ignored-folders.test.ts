/**
 * What commands write inside a checkout stays out of git and out of `npm run lint`: a deploy run
 * from the checkout once left backups in `.dynamics-hook/` that made eslint fail with 55 errors.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BACKUP = '.dynamics-hook/backups/dynamics-365-pre-registration.2026-01-01T00-00-00-000Z.previous.js';

describe("deploy's backup folder", () => {
  it('is ignored by eslint', async () => {
    expect(await new ESLint({ cwd: ROOT }).isPathIgnored(`${ROOT}/${BACKUP}`)).toBe(true);
  });

  it('is ignored by git', () => {
    // `git check-ignore` exits 0 and echoes the path when a rule ignores it (1 when none does).
    expect(execFileSync('git', ['check-ignore', '--no-index', BACKUP], { cwd: ROOT, encoding: 'utf8' }).trim()).toBe(BACKUP);
  });
});
