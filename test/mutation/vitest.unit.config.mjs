/**
 * `MUTATE_TESTS=unit npm run mutate`: only the tests of test/hook/ (unit and property tests), so that
 * a mutant does not also run every built-file, command-line and harness test that loads a hook.
 * Faster by an order of magnitude; the score is then a lower bound for the whole suite.
 * `MUTATE_TESTS=<file or glob>,<...>`: only those test files, e.g. for the static mutants of one
 * source file, which each run every selected test after a reload (see CONTRIBUTING.md).
 * Plain object: loaded by vitest inside Stryker's sandbox, whose working directory is the root.
 */
const selected = process.env['MUTATE_TESTS'] ?? 'unit';

export default {
  root: process.cwd(),
  test: {
    include: selected === 'unit' ? ['test/hook/**/*.test.ts'] : selected.split(',').map((glob) => glob.trim()),
    setupFiles: ['test/setup.ts'],
    testTimeout: 20_000,
    restoreMocks: true,
  },
};
