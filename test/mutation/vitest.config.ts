/**
 * The vitest config Stryker runs in its sandbox (see stryker.config.mjs): the project's own, plus a
 * global setup that gives the bin launcher back the execute bit the sandbox copy lost.
 */
import { fileURLToPath } from 'node:url';
import { mergeConfig } from 'vitest/config';
import base from '../../vitest.config.js';

export default mergeConfig(base, {
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: { globalSetup: [fileURLToPath(new URL('restore-bin-mode.ts', import.meta.url))] },
});
