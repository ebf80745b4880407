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
import { parseArgs } from 'node:util';
import { buildHook } from '../../build/build-hook.js';
import { kindFacts } from '../../build/kinds.js';
import type { HookKind } from '../../build/artifact.js';
import { outsideJson, outsideText } from '../terminal-text.js';
import { readJsonFile, UsageError } from '../usage.js';
import { type Decision, decisionOfAnswer, localDecision } from './decisions.js';
import { AdminError } from './problem.js';
import { openClient, readTarget, TARGET_OPTIONS, type Target } from './target.js';
import { onInterrupt, TRYOUT_SCOPES, withTryout } from './tryout-session.js';
import { invocation } from '../invocation.js';

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
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new UsageError(`${path} must hold a JSON object (a registration).`);
    return { name: basename(path), payload };
  };
  if (file !== undefined) return [read(file)];
  if (dir !== undefined) {
    const files = readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .sort();
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

/** The `tryout` command. */
export async function tryoutCommand(argv: string[]): Promise<{ exitCode: number }> {
  const { values } = parseArgs({
    args: argv,
    options: { ...TARGET_OPTIONS, payloads: { type: 'string' }, payload: { type: 'string' }, live: { type: 'boolean', default: false } },
    strict: true,
  });
  const target = readTarget('tryout', values);
  if (values.live && target.kind === 'post-registration')
    throw new UsageError('tryout --live runs only the pre-registration hook: a live post-registration run would write to the CRM.');
  const payloads = readPayloads(values.payloads, values.payload, target.kind);
  const controller = new AbortController();
  const rows = await onInterrupt(controller, () => tryoutPayloads(target, payloads, values.live, controller.signal));
  console.log(
    values.json ? outsideJson({ hook: target.name, kind: target.kind, rows }) : outsideText(formatRows(target, rows, values.live), { multiline: true }),
  );
  return { exitCode: rows.every((row) => row.same) ? 0 : 1 };
}
