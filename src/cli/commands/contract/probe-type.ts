/**
 * One hook type's generated contract, read the only way the Admin API offers: a temporary hook of
 * that type created without `code`, read back, and deleted whatever happens (an error, a refused
 * answer, Ctrl-C). A create whose answer never arrived (interrupt, network, 5xx) may still have
 * made the hook, so it is then looked up by its unique name and deleted too. When a delete fails
 * the hook's id is kept for the report, so the administrator can delete it.
 */
import { randomBytes } from 'node:crypto';
import { AdminError } from '../../strivacity/problem.js';
import type { ContractClient, ProbeHook } from './contract-client.js';

/** A temporary hook that is still there, or may be. */
export interface LeftBehind {
  readonly type: string;
  readonly name: string;
  /** Undefined when the create's answer was lost and the lookup by name failed too. */
  readonly id: string | undefined;
  /** Why: the failure's own one line (fixed text, operation and status). */
  readonly reason: string;
}

const PREFIX = 'dynamics-hook contract probe';
/** The API's limit on hook names. */
const MAX_NAME = 64;

/** `dynamics-hook contract probe <TYPE> <hex>`: recognisable in the console, unique, at most 64 characters. */
export function probeName(type: string): string {
  const room = MAX_NAME - PREFIX.length - type.length - 2;
  return `${PREFIX} ${type} ${randomBytes(4)
    .toString('hex')
    .slice(0, Math.max(4, Math.min(8, room)))}`;
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new AdminError('interrupted', 'Interrupted: stopped before the next step; nothing of it was created.');
}

function reasonOf(error: unknown): string {
  return error instanceof AdminError ? error.message : 'an unexpected error';
}

/** Whether a failed create may have created the hook anyway (the server never said no). */
function answerLost(error: unknown): boolean {
  return error instanceof AdminError && ['interrupted', 'network', 'server', 'bad_response'].includes(error.code);
}

export interface ProbeDeps {
  readonly client: ContractClient;
  /** The same client without the abort signal: the clean-up runs after an interrupt. */
  readonly cleanup: ContractClient;
  readonly signal: AbortSignal;
  /** Told of each temporary hook that could not be (shown to be) deleted. */
  readonly leftBehind: (entry: LeftBehind) => void;
}

/** Creates, reads back and deletes one temporary hook of `type`; returns what was read. */
export async function probeType(deps: ProbeDeps, type: string, blocking: boolean): Promise<{ hook: ProbeHook; name: string }> {
  throwIfAborted(deps.signal);
  const name = probeName(type);
  let created: ProbeHook;
  try {
    created = await deps.client.createProbe(type, name, blocking);
  } catch (error) {
    if (answerLost(error)) await deleteByName(deps, type, name);
    throw error;
  }
  try {
    throwIfAborted(deps.signal);
    return { hook: await deps.client.getProbe(created.id), name };
  } finally {
    await deps.cleanup.deleteProbe(created.id).catch((error: unknown) => deps.leftBehind({ type, name, id: created.id, reason: reasonOf(error) }));
  }
}

async function deleteByName(deps: ProbeDeps, type: string, name: string): Promise<void> {
  let id: string | undefined;
  try {
    id = await deps.cleanup.findProbe(type, name);
  } catch (error) {
    deps.leftBehind({ type, name, id: undefined, reason: `it may have been created, and the lookup by name failed: ${reasonOf(error)}` });
    return;
  }
  if (id === undefined) return;
  const found = id;
  await deps.cleanup.deleteProbe(found).catch((error: unknown) => deps.leftBehind({ type, name, id: found, reason: reasonOf(error) }));
}
