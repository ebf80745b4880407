/** The usage text: the overview (`dynamics-hook --help`) and one page per command (`<command> --help`). */
import { EXIT_CODES } from './errors.js';

/** What every Strivacity Admin API command says about its credentials. */
const ADMIN_API = `
  The Admin API client's credentials come from STRIVACITY_CLIENT_ID / STRIVACITY_CLIENT_SECRET,
  never from flags; <url> is https://<tenant>.strivacity.com. <kind> is pre-registration (default)
  or post-registration.`;

export const COMMAND_HELP = {
  init: `Usage: dynamics-hook init [--out <file>] [--url <environment URL>] [--tenant <GUID>] [--client <GUID>]
                          [--secret-variable <NAME>] [--not-found allow|showError|deny]
                          [--multiple-matches allowMostRecent|showError|deny] [--on-error allow|showError|deny]
                          [--enrich <attribute path>=<column>]... [--yes] [--force]
  Writes a commented starter config (JSON with comments), with a "$schema" reference so that
  editors complete and check it. Asks for what is missing when run in a terminal, checking each
  answer as it is given (the enrich answer changes the defaults it shows); with --yes, or
  when input is not a terminal, the missing required values are an error naming their flags.
  --out <file>   where to write (default hook.config.jsonc); an existing file is kept unless --force.`,
  build: `Usage: dynamics-hook build --config <file> [--hook pre-registration|post-registration] [--out <file>]
  Writes the paste-able hook (default dist/<hook>.hook.js) and prints its packageDependencies.`,
  doctor: `Usage: dynamics-hook doctor --config <file> [--hook pre-registration|post-registration] [--json]
  Checks config, secret, token, Application User, read privilege, columns and the write and create
  privileges of the post-registration hook against the live environment; names the cause and the
  fix of each failure. Without --hook, missing write or create privileges fail only when the config
  has sync, else they are a warning. Honours HTTPS_PROXY and NO_PROXY.`,
  try: `Usage: dynamics-hook try --config <file> (--email <address> [--locale <tag>] | --payload <file>)
                         [--hook pre-registration|post-registration] [--live [--show-ids]] [--json]
  Builds the hook and runs it on one registration, against recorded responses (default) or the
  live environment; prints the decision (pre-registration) or what was written (post-registration:
  updated, created, unchanged or skipped, the reason, the columns), the answer, the log line.
  Live, the contact id is masked unless --show-ids, and values from the CRM are masked.`,
  record: `Usage: dynamics-hook record --config <file> --email <address> [--email <address>...] --out <dir> [--json]
  Runs the hook's lookup live for each email and writes scrubbed nock fixtures.`,
  payloads: `Usage: dynamics-hook payloads --out <dir> [--hook pre-registration|post-registration] [--known-email <address>] [--json]
  Writes sample Try Out payloads (each under 8,000 characters) for the main cases of the hook.`,
  probe: `Usage: dynamics-hook probe --strivacity <url> --config <file> [--hook <kind>] [--name <hook>] [--json]
  Runs a probe hook through Strivacity's Try Out (no deployment) and judges the runtime: Node
  version, result classes, the secret variable (presence only), the crash guard's needs, the realm
  of the packages, the time to reach Entra and Dataverse.${ADMIN_API}`,
  deploy: `Usage: dynamics-hook deploy --strivacity <url> --config <file> [--hook <kind>] [--name <hook>] [--dry-run]
                            [--file <code.js>] [--secret-from-env] [--backup-dir <dir>] [--wait-seconds <n>] [--json]
  Shows the change (config block, dependencies, secret variable), updates, deploys and waits until
  ACTIVE; saves the replaced code and prints how to restore it (--file).${ADMIN_API}`,
  tryout: `Usage: dynamics-hook tryout --strivacity <url> --config <file> [--hook <kind>] [--name <hook>]
                            [--payloads <dir> | --payload <file>] [--live] [--json]
  Runs the built hook in Strivacity's runtime (Try Out) on each payload next to a local run; exit
  code 1 on any difference. Deletes its try-out resources, also on Ctrl-C (exit code 130).${ADMIN_API}`,
  logs: `Usage: dynamics-hook logs --strivacity <url> [--hook <kind>] [--name <hook>] [--since 1h | --from <time> [--to <time>]] [--json]
  Sums up the hook's own log lines: outcomes and reasons, failures per class with the Dataverse
  code / AADSTS number, latency p50/p95/max, the slowest (by email hash).${ADMIN_API}`,
  sandbox: `Usage: dynamics-hook sandbox [--port <n>] [--config <file>]
  Serves a local stand-in of the Strivacity Admin API on 127.0.0.1 until Ctrl-C (exit code 130), and
  prints the --strivacity URL and the STRIVACITY_CLIENT_ID / STRIVACITY_CLIENT_SECRET to export (made
  up for this run). probe, deploy, tryout and logs work against it; its try-out runtime runs the
  code against recorded Entra and Dataverse responses (the config in the code, else --config's).
  It writes no file. --port: default 0, a free port.`,
} as const satisfies Record<string, string>;

export type CommandName = keyof typeof COMMAND_HELP;

const EXIT_CODE_LINES = [
  `  ${EXIT_CODES.ok}  ok: everything checked is fine`,
  `  ${EXIT_CODES.failed}  a check, lookup or decision failed, or the config or an input file is invalid`,
  `  ${EXIT_CODES.usage}  usage: unknown command or option, missing or bad flag`,
  `  ${EXIT_CODES.file}  a file or folder could not be read, written or created`,
  `  ${EXIT_CODES.internal}  a bug in dynamics-hook (please report it)`,
  `  ${EXIT_CODES.interrupted}  interrupted (Ctrl-C), after cleaning up`,
];

/** One line per command for the overview. */
const SUMMARIES: Record<CommandName, string> = {
  init: 'write a commented starter config (flags or prompts)',
  build: 'write the paste-able hook and its packageDependencies',
  try: 'run the built hook on one registration, offline or --live',
  payloads: 'write sample Try Out payloads',
  doctor: 'check the live connection, privileges and columns; name cause and fix',
  record: 'record scrubbed fixtures from the live environment',
  probe: 'Strivacity: judge the hook runtime through Try Out (no deployment)',
  deploy: 'Strivacity: build, show the change, update, deploy, wait for ACTIVE',
  tryout: "Strivacity: run the built hook in Strivacity's runtime next to a local run",
  logs: "Strivacity: sum up the hook's own log lines for a period",
  sandbox: 'a local Strivacity Admin API to rehearse probe, deploy, tryout and logs on',
};

/** The overview: the commands, the exit codes, the environment variables. */
export function overview(): string {
  return [
    'Usage: dynamics-hook <command> [options]',
    '       dynamics-hook <command> --help     options of a command',
    '       dynamics-hook --version',
    '',
    'Commands:',
    ...Object.entries(SUMMARIES).map(([name, summary]) => `  ${name.padEnd(9)}${summary}`),
    '',
    'Exit codes (every command):',
    ...EXIT_CODE_LINES,
    '',
    'Environment: HTTPS_PROXY (or https_proxy) and NO_PROXY route the calls to Entra ID and Dataverse.',
  ].join('\n');
}
