/**
 * Option parsing for every command: `node:util` `parseArgs` in strict mode, its errors turned into
 * `UsageError`s that name the command and suggest the nearest known option.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closestName } from './closest-name.js';
import { UsageError } from './usage.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The parsed `--option` values of `argv` for `command`; a mistake is a UsageError (exit 2). */
export function parseOptions<T extends Options>(command: string, options: T, argv: string[]) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS')) throw error;
    throw new UsageError(describeParseError(command, code, (error as Error).message, Object.keys(options)));
  }
}

function describeParseError(command: string, code: string, message: string, known: readonly string[]): string {
  // Node's messages quote the offending token first: "Unknown option '--hok'", "Unexpected argument 'x'".
  const token = /'([^']*)'/.exec(message)?.[1] ?? '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const name = token.replace(/^-+/, '').split('=')[0] ?? '';
    const suggestion = closestName(name, new Set(known));
    return `unknown option '${token}' for ${command}${suggestion === undefined ? '' : `, did you mean '--${suggestion}'?`}`;
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unexpected argument '${token}' for ${command}: every value follows an --option.`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const option = /'(--?[a-z-]+)/.exec(message)?.[1] ?? token;
    return `option '${option}' of ${command} ${message.includes('argument missing') ? 'needs a value' : 'takes no value'}.`;
  }
  return `${command}: ${message}`;
}
