// @ts-check
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Stryker for `npm run mutate` (run by test/mutation/run.ts from the project root, on Node 22).
 * Paths are relative to the project root. Offline: no dashboard reporter, nothing fetched.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  // The files that ship: what is pasted into Strivacity.
  mutate: ['src/hook/**/*.ts'],
  testRunner: 'vitest',
  // The project's own vitest.config.ts. Plain `vitest run` uses child processes; keep the tests in
  // the pool they are written for (the runner's default is threads).
  // MUTATE_TESTS=unit: only test/hook/ (vitest.unit.config.mjs), a lower bound in a fraction of the time;
  // MUTATE_TESTS=<globs>: only those test files.
  vitest: { pool: 'forks', ...(process.env['MUTATE_TESTS'] ? { configFile: 'test/mutation/vitest.unit.config.mjs' } : {}) },
  // Stryker's default prepends `// @ts-nocheck` to every source file it copies, writing it anew
  // without its mode: the bin launcher (src/cli/dynamics-hook.mjs, git mode 100755) lost its execute
  // bit and test/cli/commands.test.ts, which runs it by its shebang, failed with EACCES. Nothing
  // here type-checks (vitest strips types), so no file needs the comment; unchanged files are then
  // copied with their mode.
  disableTypeChecks: false,
  // Each mutant runs only the tests that reached it in the dry run.
  coverageAnalysis: 'perTest',
  // Not copied into the sandbox: the Node binaries, Stryker itself (it runs from here) and the reports of earlier runs.
  ignorePatterns: ['dist', 'coverage', 'test/node18/runtime', 'test/mutation/runtime', 'test/mutation/node_modules', 'test/mutation/reports'],
  // Outside the checkout, so that vitest, tsc, eslint and prettier never pick up a sandbox a failed
  // run left behind; one folder per checkout, so that two worktrees do not clean each other's.
  tempDirName: join(tmpdir(), `stryker-${createHash('sha256').update(process.cwd()).digest('hex').slice(0, 12)}`),
  incrementalFile: 'test/mutation/reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'test/mutation/reports/mutation.html' },
  jsonReporter: { fileName: 'test/mutation/reports/mutation.json' },
  clearTextReporter: { allowEmojis: false, logTests: false, reportTests: false, reportMutants: true, reportScoreTable: true },
  thresholds: { high: 90, low: 85, break: null },
};
