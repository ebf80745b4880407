/**
 * `MUTATE_TESTS=unit npm run mutate`: only the tests of test/hook/ (unit and property tests), so that
 * a mutant does not also run every built-file, command-line and harness test that loads a hook.
 * Faster by an order of magnitude; the score is then a lower bound for the whole suite.
 * Plain object: loaded by vitest inside Stryker's sandbox, whose working directory is the root.
 */
export default {
  root: process.cwd(),
  test: {
    include: ['test/hook/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 20_000,
    restoreMocks: true,
  },
};
