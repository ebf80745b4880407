/**
 * Each command's options, declared once: from one `ArgDef` per option come the strict parsing
 * (`node:util` `parseArgs`; an unknown option is a usage error with "did you mean"), the choice and
 * required checks, and the `--help` text. The shape follows citty's `ArgDef` and usage renderer;
 * citty itself is not used because it ignores unknown flags, which is how a typo goes unnoticed.
 */
import { parseArgs } from 'node:util';
import { closestName } from './closest-name.js';
import { UsageError } from './errors.js';

export interface ArgDef {
  readonly type: 'string' | 'boolean';
  /** One line for `--help`. */
  readonly description: string;
  /** What the value looks like in `--help` and the usage line: `<file>`, `<n>`. Defaults to `<value>`. */
  readonly valueHint?: string;
  readonly default?: string | boolean;
  /** The values a string option accepts; anything else is a usage error naming them. */
  readonly choices?: readonly string[];
  readonly required?: boolean;
  /** May be given more than once; the value is then a list. */
  readonly multiple?: boolean;
  /** Left out of `--help` and the README check (options for tests only). */
  readonly hidden?: boolean;
}

export type ArgsDef = Readonly<Record<string, ArgDef>>;

/** The parsed value of one option, typed from its declaration. */
type ValueOf<D extends ArgDef> = D['type'] extends 'boolean'
  ? boolean
  : D extends { multiple: true }
    ? string[]
    : D extends { default: string } | { required: true }
      ? D extends { choices: readonly (infer C)[] }
        ? C
        : string
      : (D extends { choices: readonly (infer C)[] } ? C : string) | undefined;

export type ParsedArgs<A extends ArgsDef> = { -readonly [K in keyof A]: ValueOf<A[K]> };

export interface CommandDef<A extends ArgsDef = ArgsDef> {
  readonly name: string;
  /** One line for the overview. */
  readonly summary: string;
  /** What `--help` says after the options: how the command behaves, what it needs. */
  readonly description: string;
  /** A usage line where the options alone would mislead (one of two options, say). */
  readonly usage?: string;
  readonly args: A;
  readonly run: (args: ParsedArgs<A>) => Promise<{ exitCode: number }>;
}

/** A declared command with its parsing attached: what the command table holds. */
export interface Command extends Omit<CommandDef, 'run'> {
  /** Parses `argv` by the declaration (a mistake is a UsageError) and runs the command. */
  readonly runArgv: (argv: readonly string[]) => Promise<{ exitCode: number }>;
}

/** Declares a command: its options once, and what it does with their parsed values. */
export function defineCommand<const A extends ArgsDef>(command: CommandDef<A>): Command & { readonly args: A } {
  return { ...command, runArgv: (argv) => command.run(parseCommandArgs(command, argv)) };
}

/** Parses `argv` for `command`: every mistake is one UsageError (exit code 2). */
export function parseCommandArgs<A extends ArgsDef>(command: Pick<CommandDef<A>, 'name' | 'args'>, argv: readonly string[]): ParsedArgs<A> {
  const options = Object.fromEntries(
    Object.entries(command.args).map(([name, def]) => [
      name,
      { type: def.type, ...(def.multiple === true ? { multiple: true } : {}), ...(def.default === undefined ? {} : { default: def.default }) },
    ]),
  );
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS')) throw error;
    throw new UsageError(describeParseError(command.name, code, (error as Error).message, Object.keys(command.args)));
  }
  for (const [name, def] of Object.entries(command.args)) checkValue(command.name, name, def, values[name]);
  return values as ParsedArgs<A>;
}

function checkValue(command: string, name: string, def: ArgDef, value: unknown): void {
  if (value === undefined) {
    if (def.required === true) throw new UsageError(`${command} needs --${name} ${hintOf(def)}.`);
    return;
  }
  if (def.choices === undefined) return;
  for (const one of Array.isArray(value) ? value : [value]) {
    if (typeof one === 'string' && !def.choices.includes(one)) {
      const suggestion = closestName(one, new Set(def.choices));
      throw new UsageError(
        `--${name} of ${command} must be ${listOf(def.choices)}, not '${one}'${suggestion === undefined ? '' : ` (did you mean '${suggestion}'?)`}.`,
      );
    }
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

function hintOf(def: ArgDef): string {
  if (def.valueHint !== undefined) return def.valueHint;
  return def.choices === undefined ? '<value>' : def.choices.join('|');
}

function listOf(values: readonly string[]): string {
  return values.length === 1 ? (values[0] ?? '') : `${values.slice(0, -1).join(', ')} or ${values.at(-1) ?? ''}`;
}

/** The options a reader may type: every declared one but the hidden. */
export function shownArgs(args: ArgsDef): [string, ArgDef][] {
  return Object.entries(args).filter(([, def]) => def.hidden !== true);
}

/** `--config <file>`, `[--json]`, `[--email <address>]...`: one option as the usage line shows it. */
function synopsisOf(name: string, def: ArgDef): string {
  const flag = def.type === 'boolean' ? `--${name}` : `--${name} ${hintOf(def)}`;
  const once = def.required === true ? flag : `[${flag}]`;
  return def.multiple === true ? `${once}...` : once;
}

/** The `--help` page: the usage line, one line per option, then the description. */
export function renderHelp(command: Omit<CommandDef, 'run'>): string {
  const shown = shownArgs(command.args);
  const head = `Usage: dynamics-hook ${command.name} `;
  const usage =
    command.usage ??
    wrap(
      shown.map(([name, def]) => synopsisOf(name, def)),
      100 - head.length,
    ).join(`\n${' '.repeat(head.length)}`);
  const rows = shown.map(([name, def]) => [def.type === 'boolean' ? `--${name}` : `--${name} ${hintOf(def)}`, describeArg(def)] as const);
  const width = Math.max(0, ...rows.map(([flag]) => flag.length)) + 2;
  return [
    `${head}${usage}`.trimEnd(),
    `  ${command.summary}.`,
    '',
    'Options:',
    ...rows.map(([flag, text]) => `  ${flag.padEnd(width)}${text}`),
    '',
    ...command.description.split('\n').map((line) => (line === '' ? '' : `  ${line}`)),
  ].join('\n');
}

function describeArg(def: ArgDef): string {
  const notes = [
    def.required === true ? 'required' : undefined,
    def.default === undefined || def.default === false ? undefined : `default ${String(def.default)}`,
    def.multiple === true ? 'may be repeated' : undefined,
  ].filter((note) => note !== undefined);
  return notes.length === 0 ? def.description : `${def.description} (${notes.join('; ')})`;
}

/** `parts` joined by spaces into lines of at most `width` characters (a longer part gets its own line). */
function wrap(parts: readonly string[], width: number): string[] {
  const lines: string[] = [];
  for (const part of parts) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + part.length <= width) lines[lines.length - 1] = `${last} ${part}`;
    else lines.push(part);
  }
  return lines;
}
