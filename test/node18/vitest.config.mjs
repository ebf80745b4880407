/**
 * The built-file suites on Node 18 (`npm run test:node18`, and `.ci/run`). vitest 4 and vite 8 need
 * Node 20, so this run uses vitest 3.2 on vite 6 from this folder's own package.json. The suites
 * import `vitest`, which from test/ would resolve to the top-level vitest 4: the alias points them
 * at this folder's vitest 3 instead. Plain object, no `vitest/config` import, for the same reason.
 */
import { fileURLToPath } from 'node:url';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

export default {
  root: here('../..'),
  resolve: {
    alias: [{ find: /^vitest$/, replacement: here('node_modules/vitest/dist/index.js') }],
  },
  test: {
    // The built-file suites: every hook kind (the glob picks up a new kind's suite), the fault matrix, the realms.
    include: ['test/built/**/*.test.ts'],
    setupFiles: ['test/node18/setup.ts', 'test/setup.ts'],
    testTimeout: 20_000,
    restoreMocks: true,
  },
};
