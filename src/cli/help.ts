/** The usage text: the overview (`dynamics-hook --help`); each command's page is rendered from its declaration (`args.ts`). */
import { COMMAND_LIST } from './commands/table.js';
import { EXIT_CODES } from './errors.js';

const EXIT_CODE_LINES = [
  `  ${EXIT_CODES.ok}  ok: everything checked is fine`,
  `  ${EXIT_CODES.failed}  a check, lookup or decision failed, or the config or an input file is invalid`,
  `  ${EXIT_CODES.usage}  usage: unknown command or option, missing or bad flag`,
  `  ${EXIT_CODES.file}  a file or folder could not be read, written or created`,
  `  ${EXIT_CODES.internal}  a bug in dynamics-hook (please report it)`,
  `  ${EXIT_CODES.interrupted}  interrupted (Ctrl-C), after cleaning up`,
];

/** The overview: the commands, the exit codes, the environment variables. */
export function overview(): string {
  return [
    'Usage: dynamics-hook <command> [options]',
    '       dynamics-hook <command> --help     options of a command',
    '       dynamics-hook --version',
    '',
    'Commands:',
    ...COMMAND_LIST.map((command) => `  ${command.name.padEnd(9)}${command.summary}`),
    '',
    'Exit codes (every command):',
    ...EXIT_CODE_LINES,
    '',
    'Environment: HTTPS_PROXY (or https_proxy) and NO_PROXY route the calls to Entra ID and Dataverse.',
  ].join('\n');
}
