import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // nock must patch node:http before dynamics-web-api is imported (its ESM build binds
    // `import * as https` at load); see test/setup.ts.
    setupFiles: ['test/setup.ts'],
    testTimeout: 20_000,
    restoreMocks: true,
  },
});
