/**
 * `dynamics-hook`: the operator's command line (the installed bin is `dynamics-hook.mjs`; also
 * `npm run cli -- <command>`). Output is plain text for people, `--json` for machines. Every
 * failure is one line and a documented exit code (`EXIT_CODES`, printed by `--help`), never a
 * stack trace; no command ever prints a secret or a token.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HookError } from '../hook/errors.js';
import { closestName } from './closest-name.js';
import { renderHelp, type Command } from './args.js';
import { COMMAND_LIST, commandNamed } from './commands/table.js';
import { CliError, EXIT_CODES } from './errors.js';
import { overview } from './help.js';
import { invocation } from './invocation.js';
import { outsideText } from './terminal-text.js';
import { useProxyFromEnvironment } from './proxy.js';
import { versionLine } from './version.js';

const HELP_FLAGS = new Set(['-h', '--help']);

/** True when `argv` asks for help: `-h` or `--help` before any `--`. */
function asksForHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((arg) => HELP_FLAGS.has(arg));
}

/**
 * `dynamics-hook payloads ... | head`: the reader leaves, the next write fails with EPIPE. That is
 * the operator's choice, not a bug to print a stack trace for.
 */
function stopQuietlyWhenOutputCloses(): void {
  if (process.stdout.listenerCount('error') > 0) return;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT_CODES.ok);
    throw error;
  });
}

/** Runs one command line; resolves to the exit code. Never throws. */
export async function runCli(argv: string[]): Promise<number> {
  stopQuietlyWhenOutputCloses();
  const [name, ...rest] = argv;
  if (name === undefined) {
    console.error(`dynamics-hook needs a command.\n\n${overview()}`);
    return EXIT_CODES.usage;
  }
  if (name === 'help' || HELP_FLAGS.has(name)) {
    const topic = rest[0] === undefined ? undefined : commandNamed(rest[0]);
    console.log(topic === undefined ? overview() : renderHelp(topic));
    return EXIT_CODES.ok;
  }
  if (name === '--version' || name === '-v') {
    console.log(`dynamics-hook ${versionLine()}`);
    return EXIT_CODES.ok;
  }
  const command = commandNamed(name);
  if (command === undefined) {
    const suggestion = closestName(name, new Set(COMMAND_LIST.map((known) => known.name)));
    const what = name.startsWith('-') ? 'option' : 'command';
    const guess = suggestion === undefined ? '.' : `, did you mean '${suggestion}'?`;
    console.error(`unknown ${what} '${name}'${guess} Run '${invocation()} --help' for the commands.`);
    return EXIT_CODES.usage;
  }
  if (asksForHelp(rest)) {
    console.log(renderHelp(command));
    return EXIT_CODES.ok;
  }
  let restoreProxy = (): void => undefined;
  try {
    restoreProxy = useProxyFromEnvironment();
    return (await command.runArgv(rest)).exitCode;
  } catch (error) {
    return reportFailure(command, error);
  } finally {
    restoreProxy();
  }
}

/** One line (plus the config's safe diagnostic) for what stopped a command; its exit code. */
export function reportFailure(command: Pick<Command, 'name'>, error: unknown): number {
  const { name } = command;
  // Ctrl-C or Ctrl-D at a prompt (readline rejects the question): the person chose to stop.
  if (isInterruption(error)) return EXIT_CODES.interrupted;
  if (error instanceof CliError) {
    const hint = error.kind === 'usage' ? ` Run '${invocation()} ${name} --help' for its options.` : '';
    // A message may carry outside text (an API's field errors, a path): never a control byte or a sent secret.
    console.error(outsideText(`${error.message}${hint}`, { multiline: true }));
    return error.exitCode;
  }
  if (error instanceof HookError) {
    console.error(
      outsideText(`${error.message}${error.diagnostic === undefined ? '' : `\n  ${error.diagnostic.split('; ').join('\n  ')}`}`, { multiline: true }),
    );
    return EXIT_CODES.failed;
  }
  // A bug: its name and message only (a library's message never carries our secrets, but a stack
  // trace helps no operator). DYNAMICS_HOOK_DEBUG=1 prints the stack for a bug report.
  const described = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  console.error(outsideText(`dynamics-hook ${name} failed unexpectedly (${described}). This is a bug; please report it with the command you ran.`));
  if (process.env['DYNAMICS_HOOK_DEBUG'] === '1' && error instanceof Error) console.error(error.stack);
  return EXIT_CODES.internal;
}

/** readline's AbortError (Ctrl-C) and its closed-interface error (Ctrl-D before an answer). */
function isInterruption(error: unknown): boolean {
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  return name === 'AbortError' || code === 'ABORT_ERR' || code === 'ERR_USE_AFTER_CLOSE';
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
