/**
 * The one way CLI tests run a command: in this process, through `runCli` (the same path as the
 * bin), with console output captured, and every printed line checked for the test secret and the
 * recorded access token, which no command may ever print.
 */
import { expect, vi } from 'vitest';
import { HOOK_KIND_NAMES } from '../../src/build/kinds.js';
import { runCli } from '../../src/cli/main.js';
import { ACCESS_TOKEN, SECRET } from './helpers.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `dynamics-hook <argv>`; fails the test if a secret or token was printed. */
export async function runCommand(argv: readonly string[], secrets: readonly string[] = []): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void out.push(parts.map(String).join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void err.push(parts.map(String).join(' ')));
  let code: number;
  try {
    code = await runCli([...argv]);
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
  const run = { code, stdout: out.join('\n'), stderr: err.join('\n') };
  for (const secret of [SECRET, ACCESS_TOKEN, ...secrets]) expect(`${run.stdout}\n${run.stderr}`).not.toContain(secret);
  return run;
}

/** The kinds as a usage message lists them: "a, b or c". */
export function kindList(): string {
  return `${HOOK_KIND_NAMES.slice(0, -1).join(', ')} or ${HOOK_KIND_NAMES.at(-1) ?? ''}`;
}
