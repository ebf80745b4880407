#!/usr/bin/env node
/**
 * The installed `dynamics-hook` bin. npm links bins through a symlink and runs them with node, so
 * this plain module registers the project's own tsx (never one fetched by npx) and then imports
 * the TypeScript CLI. `main.ts` is imported after `register()` on purpose: a static import would be
 * resolved before the loader exists.
 */
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

// The project's tsconfig, not whatever tsconfig the operator's working directory has.
register({ tsconfig: fileURLToPath(new URL('../../tsconfig.json', import.meta.url)) });
const { runCli } = await import('./main.ts');
process.exitCode = await runCli(process.argv.slice(2));
