/**
 * `dynamics-hook`: the operator's command line (the installed bin is `dynamics-hook.mjs`; also
 * `npm run cli -- <command>`). Output is plain text for people, `--json` for machines; the exit
 * code is 0 only when everything checked is fine. No command ever prints a secret or a token.
 */
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { HookKind } from '../build/artifact.js';
import { buildHook } from '../build/build-hook.js';
import { doctorCommand } from './doctor/doctor.js';
import { HookError } from '../hook/errors.js';
import { payloadsCommand } from './payloads.js';
import { recordCommand } from './record/command.js';
import { deployCommand } from './strivacity/deploy.js';
import { logsCommand } from './strivacity/logs.js';
import { AdminError } from './strivacity/problem.js';
import { probeCommand } from './strivacity/probe.js';
import { tryoutCommand } from './strivacity/tryout.js';
import { tryCommand } from './try.js';
import { readJsonFile, UsageError } from './usage.js';

export interface CommandResult {
  readonly exitCode: number;
}

type Command = (argv: string[]) => Promise<CommandResult>;

const USAGE = `Usage: dynamics-hook <command> [options]

Commands:
  build    --config <file> [--hook pre-registration|post-registration] [--out <file>]
           Writes the paste-able hook and prints its packageDependencies.
  doctor   --config <file> [--json]
           Checks config, secret, token, Application User, read privilege and columns against
           the live environment; names the cause and the fix of each failure.
  try      --config <file> (--email <address> [--locale <tag>] | --payload <file>) [--live [--show-ids]] [--json]
           Builds the hook and runs it on one registration, against recorded responses
           (default) or the live environment; prints the decision, the answer, the log line.
           Live, the contact id is masked unless --show-ids.
  record   --config <file> --email <address> [--email <address>...] --out <dir> [--json]
           Runs the hook's lookup live for each email and writes scrubbed nock fixtures.
  payloads --out <dir> [--known-email <address>] [--json]
           Writes sample Try Out payloads (each under 8,000 characters) for the main cases.

Through the Strivacity Admin API (--strivacity https://<tenant>.strivacity.com; the API client's
credentials from STRIVACITY_CLIENT_ID / STRIVACITY_CLIENT_SECRET, never flags):
  probe    --strivacity <url> --config <file> [--hook <kind>] [--name <hook>] [--json]
           Runs a probe hook through Try Out (no deployment) and judges the runtime.
  deploy   --strivacity <url> --config <file> [--hook <kind>] [--name <hook>] [--dry-run]
           [--file <code.js>] [--secret-from-env] [--backup-dir <dir>] [--wait-seconds <n>] [--json]
           Shows the change (config block, dependencies, secret variable), updates, deploys and
           waits until ACTIVE; saves the replaced code and prints how to restore it (--file).
  tryout   --strivacity <url> --config <file> [--hook <kind>] [--name <hook>]
           [--payloads <dir> | --payload <file>] [--live] [--json]
           Runs the built hook in Strivacity's runtime (Try Out) on each payload next to a local
           run; exit code 1 on any difference. Deletes its try-out resources, also on Ctrl-C.
  logs     --strivacity <url> [--hook <kind>] [--name <hook>] [--since 1h | --from <time> [--to <time>]]
           [--json]
           Sums up the hook's own log lines: outcomes and reasons, failures per class with the
           Dataverse code / AADSTS number, latency p50/p95/max, the slowest (by email hash).
`;

const build: Command = async (argv) => {
  const { values } = parseArgs({
    args: argv,
    options: { config: { type: 'string' }, out: { type: 'string' }, hook: { type: 'string', default: 'pre-registration' } },
    strict: true,
  });
  if (values.config === undefined) throw new UsageError('build needs --config <file>.');
  if (values.hook !== 'pre-registration' && values.hook !== 'post-registration') throw new UsageError('--hook must be pre-registration or post-registration.');
  const kind: HookKind = values.hook;
  const out = values.out ?? `dist/${kind}.hook.js`;
  const built = await buildHook(kind, readJsonFile(values.config));
  const dependenciesFile = out.replace(/\.js$/, '') + '.dependencies.json';
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, built.code);
  writeFileSync(dependenciesFile, `${JSON.stringify(built.packageDependencies, null, 2)}\n`);
  console.log(`Wrote ${out} (${built.code.length.toLocaleString('en')} characters; the console accepts 256,000).`);
  console.log(`Hook settings > Dependencies (also in ${dependenciesFile}):`);
  console.log(JSON.stringify(built.packageDependencies, null, 2));
  return { exitCode: 0 };
};

const COMMANDS: Record<string, Command> = {
  build,
  doctor: doctorCommand,
  try: tryCommand,
  payloads: payloadsCommand,
  record: recordCommand,
  probe: probeCommand,
  deploy: deployCommand,
  tryout: tryoutCommand,
  logs: logsCommand,
};

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name === undefined ? undefined : COMMANDS[name];
  if (command === undefined) {
    console.error(USAGE);
    return name === undefined || name === 'help' || name === '--help' ? 0 : 2;
  }
  try {
    return (await command(rest)).exitCode;
  } catch (error) {
    if (error instanceof AdminError) {
      // One line: the cause and the fix (see cli/strivacity/problem.ts).
      console.error(error.message);
      return error.code === 'interrupted' ? 130 : 1;
    }
    if (error instanceof HookError) {
      console.error(`${error.message}${error.diagnostic === undefined ? '' : `\n  ${error.diagnostic.split('; ').join('\n  ')}`}`);
      return 1;
    }
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      console.error(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
}

/**
 * True when this file is the script node was started with (`tsx src/cli/main.ts`, the npm scripts), not
 * when `dynamics-hook.mjs` or a test imports it. Real paths on both sides: a symlinked or relative
 * `argv[1]` names the same file.
 */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  process.exitCode = await runCli(process.argv.slice(2));
}
