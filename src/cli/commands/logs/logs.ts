/**
 * `dynamics-hook logs --strivacity <url> [--hook <kind>] [--name <hook>] [--since 1h | --from <time>
 * [--to <time>]] [--json]`: reads the hook's event hook logs for a period through the Admin API
 * (`GET /eventHooks/logs`, following its paging, then each entry's console lines), and prints the
 * summary of `logs-summary.ts`. The log endpoints are the ones a Strivacity release retired in part
 * ("legacy hook log endpoints", 2025-08-19): a 404 or 410 there is explained, not reported as a
 * missing hook.
 */
import type { AdminClient, LogEntry } from '../../strivacity/admin-client.js';
import { parseTenantUrl } from '../../strivacity/admin-token.js';
import { formatSummary, summariseLogs } from './logs-summary.js';
import { AdminError } from '../../strivacity/problem.js';
import { checkHookNames, HOOK_TYPE, hookNameOf, openClient } from '../../strivacity/target.js';
import { ADMIN_API_NOTE } from '../../strivacity/admin-api-note.js';
import { type ArgsDef, defineCommand, type ParsedArgs } from '../../args.js';
import { SHARED_ARGS } from '../../shared-args.js';
import { readJsonFile } from '../../files.js';
import { parseResolvedConfig } from '../../../hook/config.js';
import { UsageError } from '../../errors.js';

/** Entries per page requested; the documented answer is a bare array, so a short page is the last. */
export const LOG_PAGE_SIZE = 100;
/** At most this many entries are read (and their lines fetched): the summary says when it stopped. */
export const MAX_LOG_ENTRIES = 5000;

const UNITS_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since 90m` / `--from ... --to ...` as a period; `now` is injectable for tests. */
export function parsePeriod(
  values: { since?: string | undefined; from?: string | undefined; to?: string | undefined },
  now = Date.now(),
): { start: Date; end: Date } {
  if (values.since !== undefined && values.from !== undefined) throw new UsageError('logs takes --since or --from, not both.');
  const time = (flag: string, text: string) => {
    const at = Date.parse(text);
    if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(at)) throw new UsageError(`${flag} must be a date and time such as 2026-11-30T08:00:00Z.`);
    return new Date(at);
  };
  const end = values.to === undefined ? new Date(now) : time('--to', values.to);
  if (values.from !== undefined) {
    const start = time('--from', values.from);
    if (start >= end) throw new UsageError('--from must be before --to.');
    return { start, end };
  }
  const match = /^(\d+)([smhd])$/.exec(values.since ?? '24h');
  if (match === null) throw new UsageError('--since takes a number and a unit: 30m, 1h, 7d.');
  const start = end.getTime() - Number(match[1]) * (UNITS_MS[match[2] ?? 'h'] ?? 0);
  // A Date holds +-8.64e15 ms; `99999999999999999999d` is past it (and before any hook ran).
  if (!(start >= 0)) throw new UsageError('--since reaches back before 1970: give a shorter period, such as 7d.');
  return { start: new Date(start), end };
}

/** A 404/410 from a log endpoint: the retired legacy endpoints, not a missing hook. */
function retired(error: unknown): never {
  if (error instanceof AdminError && (error.status === 404 || error.status === 410))
    throw new AdminError(
      'gone',
      `Strivacity Admin API getEventHookLogs answered ${error.status}: this instance no longer serves the hook log endpoint (Strivacity retired legacy hook log endpoints on 2025-08-19). Read the logs in the console (Lifecycle Event Hooks > Event hook logs), and ask Strivacity support for the endpoint that replaced it.`,
      error.status,
    );
  throw error;
}

/** Every entry of the period, with its console lines, following the list's paging. */
export async function readLogs(
  client: AdminClient,
  filter: { name: string; type: string; start: Date; end: Date },
): Promise<{ entries: LogEntry[]; truncated: boolean }> {
  const listed: LogEntry[] = [];
  for (let page = 0; listed.length < MAX_LOG_ENTRIES; page += 1) {
    const query = new URLSearchParams({
      hookName: filter.name,
      hookTypes: filter.type,
      startDate: filter.start.toISOString(),
      endDate: filter.end.toISOString(),
      page: String(page),
      size: String(LOG_PAGE_SIZE),
      sort: 'timestamp,asc',
    });
    const entries = await client.listLogs(query).catch(retired);
    listed.push(...entries);
    if (entries.length < LOG_PAGE_SIZE) return { entries: await withLines(client, listed), truncated: false };
  }
  return { entries: await withLines(client, listed.slice(0, MAX_LOG_ENTRIES)), truncated: true };
}

/** Fetches each entry's lines, four at a time (the list does not carry them). */
async function withLines(client: AdminClient, listed: readonly LogEntry[]): Promise<LogEntry[]> {
  const out: LogEntry[] = new Array<LogEntry>(listed.length);
  let next = 0;
  const worker = async () => {
    while (next < listed.length) {
      const index = next++;
      const entry = listed[index]!;
      out[index] = entry.logs === undefined ? await client.getLog(entry.id).catch(retired) : entry;
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return out;
}

const ARGS = {
  strivacity: SHARED_ARGS.strivacity,
  hook: SHARED_ARGS.hook,
  name: SHARED_ARGS.name,
  config: { ...SHARED_ARGS.config, description: 'take the instance and the hook name from its strivacity section' },
  since: { type: 'string', valueHint: '<period>', description: 'how far back: 30m, 1h, 7d (default 24h)' },
  from: { type: 'string', valueHint: '<time>', description: 'the start, such as 2026-11-30T08:00:00Z' },
  to: { type: 'string', valueHint: '<time>', description: 'the end (default now)' },
  json: SHARED_ARGS.json,
} as const satisfies ArgsDef;

export const LOGS_COMMAND = defineCommand({
  name: 'logs',
  summary: "Strivacity: sum up the hook's own log lines for a period",
  description: `Sums up the hook's own log lines: outcomes and reasons, failures per class with the Dataverse
code / AADSTS number, latency p50/p95/max, the slowest (by email hash).${ADMIN_API_NOTE}`,
  args: ARGS,
  run: logs,
});

async function logs(values: ParsedArgs<typeof ARGS>): Promise<{ exitCode: number }> {
  const kind = values.hook;
  const fromConfig = values.config === undefined ? undefined : parseResolvedConfig(readJsonFile(values.config)).strivacity;
  checkHookNames(fromConfig?.hookNames);
  const period = parsePeriod(values);
  const tenant = parseTenantUrl(values.strivacity ?? fromConfig?.url);
  const name = hookNameOf(values.name ?? fromConfig?.hookNames?.[kind], kind);
  const client = openClient({ tenant }, ['read:event_hook_log']);
  const { entries, truncated } = await readLogs(client, { name, type: HOOK_TYPE[kind], ...period });
  const summary = summariseLogs(entries);
  const label = `of "${name}" from ${period.start.toISOString()} to ${period.end.toISOString()}`;
  if (values.json) console.log(JSON.stringify({ hook: name, from: period.start.toISOString(), to: period.end.toISOString(), truncated, ...summary }, null, 2));
  else console.log(`${formatSummary(summary, label)}${truncated ? `\n(Stopped after ${MAX_LOG_ENTRIES} runs: narrow the period with --from/--to.)` : ''}`);
  return { exitCode: 0 };
}
