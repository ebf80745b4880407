/**
 * `dynamics-hook tryout --strivacity <url> --config <file> [--hook <kind>] [--name <hook>]
 * [--payloads <dir> | --payload <file>] [--live] [--json]`: runs the built hook (deployed or not)
 * through Strivacity's try-out API on each payload (by default the samples `payloads` writes), and
 * prints per payload the decision of Strivacity's runtime next to the one the same build makes
 * locally (`try`, against the recorded responses; `--live`: against the live environment). Exit
 * code 1 on any difference. The try-out resources are deleted at the end, also on Ctrl-C.
 */
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { buildHook } from '../../../build/build-hook.js';
import { kindFacts } from '../../../build/kinds.js';
import type { HookKind } from '../../../build/artifact.js';
import { outsideJson, outsideText } from '../../terminal-text.js';
import { type Decision, decisionOfAnswer, localDecision } from './decisions.js';
import { AdminError } from '../../strivacity/problem.js';
import { openClient, readTarget, TARGET_ARGS, type Target } from '../../strivacity/target.js';
import { ADMIN_API_NOTE } from '../../strivacity/admin-api-note.js';
import { type ArgsDef, defineCommand, type ParsedArgs } from '../../args.js';
import { onInterrupt, TRYOUT_SCOPES, withTryout } from '../../strivacity/tryout-session.js';
import { invocation } from '../../invocation.js';
import { CliError, fileError, UsageError } from '../../errors.js';
import { readJsonFile } from '../../files.js';

interface NamedPayload {
  readonly name: string;
  readonly payload: object;
}

export interface TryoutRow {
  readonly payload: string;
  readonly strivacity: Decision;
  readonly local: Decision;
  readonly same: boolean;
}

function readPayloads(dir: string | undefined, file: string | undefined, kind: HookKind): NamedPayload[] {
  if (dir !== undefined && file !== undefined) throw new UsageError('tryout takes --payloads <dir> or --payload <file>, not both.');
  const read = (path: string): NamedPayload => {
    const payload = readJsonFile(path);
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
      throw new CliError('input', `${path} must hold a JSON object (the hook's arguments).`);
    return { name: basename(path), payload };
  };
  if (file !== undefined) return [read(file)];
  if (dir !== undefined) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (error) {
      throw fileError('read', dir, error);
    }
    const files = names.filter((name) => name.endsWith('.json')).sort();
    if (files.length === 0) throw new UsageError(`${dir} has no .json payloads (${invocation()} payloads --out ${dir} writes some).`);
    return files.map((name) => read(join(dir, name)));
  }
  // The samples of the kind tried out: a post-registration hook on pre-registration samples only
  // ever answers "completed", which compares nothing.
  const samples = kindFacts(kind).samplePayloads();
  return samples.map((sample) => ({ name: sample.file, payload: sample.payload }));
}

/**
 * The local runs load nock (the recorded responses) and leave the network closed behind them: the
 * Admin API host is opened again before the try-out requests.
 */
async function reopenAdminHost(tenant: URL): Promise<void> {
  const { default: nock } = await import('nock');
  nock.enableNetConnect((host) => host === tenant.host || /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(host));
}

/** Runs every payload on both sides; returns one row per payload. */
export async function tryoutPayloads(target: Target, payloads: readonly NamedPayload[], live: boolean, signal?: AbortSignal): Promise<TryoutRow[]> {
  // Local first: a config or build problem shows before anything is created in Strivacity.
  const local: Decision[] = [];
  for (const item of payloads) {
    if (signal?.aborted === true) throw new AdminError('interrupted', 'Interrupted before anything was created in Strivacity.');
    local.push(await localDecision(target.kind, target.rawConfig, item.payload, live));
  }
  if (!live || target.kind === 'post-registration') await reopenAdminHost(target.tenant);
  const built = await buildHook(target.kind, target.rawConfig);
  const client = openClient(target, TRYOUT_SCOPES, signal, 60_000);
  return withTryout(
    client,
    target,
    built.code,
    built.packageDependencies,
    async (session) => {
      const rows: TryoutRow[] = [];
      for (const [index, item] of payloads.entries()) {
        const strivacity = decisionOfAnswer(await session.call(item.payload), target.kind);
        const mine = local[index] ?? { decision: 'none' };
        rows.push({ payload: item.name, strivacity, local: mine, same: strivacity.decision === mine.decision });
      }
      return rows;
    },
    signal,
  );
}

function formatRows(target: Target, rows: readonly TryoutRow[], live: boolean): string {
  const width = Math.max(...rows.map((row) => row.payload.length), 7) + 2;
  const lines = [
    `tryout ${target.kind} hook "${target.name}": Strivacity's runtime vs local ${live ? 'live run' : 'run on recorded responses'}`,
    `  ${'payload'.padEnd(width)}${'strivacity'.padEnd(14)}local`,
    ...rows.map(
      (row) =>
        `  ${outsideText(row.payload).padEnd(width)}${row.strivacity.decision.padEnd(14)}${row.local.decision}${row.local.reason === undefined ? '' : ` (${row.local.reason})`}${row.same ? '' : '   <- DIFFERENT'}${row.local.writes === undefined ? '' : `\n  ${''.padEnd(width + 14)}local writes: ${row.local.writes.length === 0 ? 'none' : row.local.writes.join('; ')}`}`,
    ),
  ];
  const different = rows.filter((row) => !row.same).length;
  lines.push(
    different === 0
      ? `All ${rows.length} payloads: Strivacity's runtime decided as the local run did.`
      : `${different} of ${rows.length} payloads decided differently in Strivacity's runtime: run probe to see what the runtime lacks.`,
  );
  return lines.join('\n');
}

const ARGS = {
  ...TARGET_ARGS,
  payloads: { type: 'string', valueHint: '<dir>', description: "run every .json file of this folder (default: the kind's samples)" },
  payload: { type: 'string', valueHint: '<file>', description: 'run this one payload' },
  live: { type: 'boolean', default: false, description: 'against the live Dataverse of the config (kinds that only read)' },
} as const satisfies ArgsDef;

export const TRYOUT_COMMAND = defineCommand({
  name: 'tryout',
  summary: "Strivacity: run the built hook in Strivacity's runtime next to a local run",
  description: `Runs the built hook in Strivacity's runtime (Try Out) on each payload next to a local run; exit
code 1 on any difference. Deletes its try-out resources, also on Ctrl-C (exit code 130).${ADMIN_API_NOTE}`,
  args: ARGS,
  run: tryout,
});

async function tryout(values: ParsedArgs<typeof ARGS>): Promise<{ exitCode: number }> {
  const target = readTarget(values);
  if (values.live && kindFacts(target.kind).role === 'writes')
    throw new UsageError(`tryout --live runs only kinds that read: a live ${target.kind} run would write to the CRM.`);
  const payloads = readPayloads(values.payloads, values.payload, target.kind);
  const controller = new AbortController();
  const rows = await onInterrupt(controller, () => tryoutPayloads(target, payloads, values.live, controller.signal));
  console.log(
    values.json ? outsideJson({ hook: target.name, kind: target.kind, rows }) : outsideText(formatRows(target, rows, values.live), { multiline: true }),
  );
  return { exitCode: rows.every((row) => row.same) ? 0 : 1 };
}
