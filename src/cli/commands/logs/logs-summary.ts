/**
 * Reads the hook's own log lines out of Strivacity's event hook logs and sums them up: registrations
 * per outcome and reason, failures per class with their Dataverse code / AADSTS number, latency
 * percentiles, and the slowest registrations (by email hash: the hook never logs an email). Lines
 * that are not the hook's JSON (another hook's, a library's) are counted, never echoed. A pure
 * function of the entries.
 */
import { z } from 'zod';
import { printable } from '../../terminal-text.js';
import { dropNulls, type LogEntry } from '../../strivacity/admin-client.js';
import { HOOK_KIND_NAMES, HOOK_KINDS, type HookKind } from '../../../build/kinds.js';

/**
 * Distinct keys each table of the summary holds (outcome/reason, failure class, codes of one
 * class); the counts of further keys go under `OTHER_KEYS`, and `cappedKeys` says how many there
 * were. The keys come from log lines that any code in the hook's runtime can write: 200,000
 * distinct ones once overflowed the stack.
 */
export const MAX_SUMMARY_KEYS = 100;
export const OTHER_KEYS = '(other keys)';
/** A key longer than this is cut (where it is counted; the display cuts shorter). */
const MAX_KEY_CHARACTERS = 200;
const SHOWN_KEY_CHARACTERS = 120;

/** The fields of the hook's JSON log line (src/log.ts) that the summary reads; others are ignored. */
const hookLine = z.looseObject({
  level: z.enum(['debug', 'info', 'warn', 'error']),
  event: z.string().regex(/^[a-z]+\.[a-z_]+$/),
  hook: z.enum(HOOK_KIND_NAMES as [HookKind, ...HookKind[]]).optional(),
  outcome: z.string().optional(),
  reason: z.string().optional(),
  failure: z.string().optional(),
  stage: z.string().optional(),
  latencyMs: z.number().nonnegative().optional(),
  status: z.number().optional(),
  dataverseCode: z
    .string()
    .regex(/^0x[0-9a-fA-F]+$/)
    .optional(),
  aadsts: z.number().int().optional(),
  emailHash: z
    .string()
    .regex(/^[0-9a-f]{12}$/)
    .optional(),
});
type HookLine = z.infer<typeof hookLine>;

export interface LogSummary {
  readonly entries: number;
  readonly hookLines: number;
  /** Console lines that are not the hook's JSON lines (counted only). */
  readonly otherLines: number;
  readonly registrations: number;
  /** `outcome/reason` -> count, e.g. `allow/matched`. */
  readonly byOutcome: Readonly<Record<string, number>>;
  /** `failure (stage)` -> count and the codes seen, e.g. `AADSTS7000215 x2`. */
  readonly failures: Readonly<Record<string, { count: number; codes: Record<string, number> }>>;
  readonly latencyMs: { p50: number; p95: number; max: number } | undefined;
  readonly slowest: ReadonlyArray<{ emailHash: string; latencyMs: number; outcome: string; at: string }>;
  /** Distinct keys beyond `MAX_SUMMARY_KEYS` in any table, counted under `OTHER_KEYS`. */
  readonly cappedKeys: number;
}

function parseLine(message: string | undefined): HookLine | undefined {
  if (message === undefined) return undefined;
  const text = message.trim();
  if (!text.startsWith('{')) return undefined;
  try {
    // A null in an optional field is read as the field's absence, not as a foreign line.
    const parsed = hookLine.safeParse(dropNulls(JSON.parse(text)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

/** The one line per run of every kind (its outcome and reason), from the kind table. */
const RUN_EVENTS = new Set<string>(HOOK_KINDS.map((kind) => kind.logEvent));

export function summariseLogs(entries: readonly LogEntry[], slowestCount = 5): LogSummary {
  let hookLines = 0;
  let otherLines = 0;
  let cappedKeys = 0;
  /** Counts `key` in `table`, or under OTHER_KEYS once the table is full. Maps: a key may be `__proto__`. */
  const slotOf = <T>(table: Map<string, T>, raw: string): string => {
    const key = raw.slice(0, MAX_KEY_CHARACTERS);
    if (table.has(key) || table.size < MAX_SUMMARY_KEYS) return key;
    cappedKeys += 1;
    return OTHER_KEYS;
  };
  const byOutcome = new Map<string, number>();
  const failures = new Map<string, { count: number; codes: Map<string, number> }>();
  const latencies: number[] = [];
  const timed: Array<{ emailHash: string; latencyMs: number; outcome: string; at: string }> = [];
  for (const entry of entries) {
    for (const raw of entry.logs ?? []) {
      const line = parseLine(raw.message);
      if (line === undefined) {
        otherLines += 1;
        continue;
      }
      hookLines += 1;
      if (RUN_EVENTS.has(line.event)) {
        const key = slotOf(byOutcome, `${line.outcome ?? '?'}/${line.reason ?? '?'}`);
        byOutcome.set(key, (byOutcome.get(key) ?? 0) + 1);
        if (line.latencyMs !== undefined) {
          latencies.push(line.latencyMs);
          if (line.emailHash !== undefined)
            timed.push({ emailHash: line.emailHash, latencyMs: line.latencyMs, outcome: key, at: raw.timestamp ?? entry.timestamp ?? '' });
        }
      }
      if (line.failure !== undefined) {
        const key = slotOf(failures, `${line.failure}${line.stage === undefined ? '' : ` (${line.stage})`}`);
        const bucket = failures.get(key) ?? { count: 0, codes: new Map<string, number>() };
        failures.set(key, bucket);
        bucket.count += 1;
        const code =
          line.aadsts !== undefined ? `AADSTS${line.aadsts}` : (line.dataverseCode ?? (line.status === undefined ? undefined : `HTTP ${line.status}`));
        if (code !== undefined) {
          const slot = slotOf(bucket.codes, code);
          bucket.codes.set(slot, (bucket.codes.get(slot) ?? 0) + 1);
        }
      }
    }
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    entries: entries.length,
    hookLines,
    otherLines,
    registrations: [...byOutcome.values()].reduce((sum, count) => sum + count, 0),
    byOutcome: Object.fromEntries(byOutcome),
    failures: Object.fromEntries([...failures].map(([key, bucket]) => [key, { count: bucket.count, codes: Object.fromEntries(bucket.codes) }])),
    latencyMs: sorted.length === 0 ? undefined : { p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted.at(-1) ?? 0 },
    slowest: timed.sort((a, b) => b.latencyMs - a.latencyMs).slice(0, slowestCount),
    cappedKeys,
  };
}

/** A key or timestamp of a log line as printed: text from the hook's runtime, so stripped of controls. */
function shown(text: string): string {
  return printable(text, { maxLength: SHOWN_KEY_CHARACTERS });
}

export function formatSummary(summary: LogSummary, period: string): string {
  const lines = [
    `logs ${shown(period)}: ${summary.entries} hook runs, ${summary.registrations} registrations (${summary.hookLines} hook log lines, ${summary.otherLines} other lines)`,
  ];
  lines.push('By outcome/reason:');
  const outcomes = Object.entries(summary.byOutcome).sort((a, b) => b[1] - a[1]);
  lines.push(...(outcomes.length === 0 ? ['  (none)'] : outcomes.map(([key, count]) => `  ${String(count).padStart(6)}  ${shown(key)}`)));
  lines.push('Failures by class:');
  const failures = Object.entries(summary.failures).sort((a, b) => b[1].count - a[1].count);
  lines.push(
    ...(failures.length === 0
      ? ['  (none)']
      : failures.map(([key, bucket]) => {
          const codes = Object.entries(bucket.codes).map(([code, count]) => `${shown(code)} x${count}`);
          return `  ${String(bucket.count).padStart(6)}  ${shown(key)}${codes.length === 0 ? '' : `: ${codes.join(', ')}`}`;
        })),
  );
  lines.push(
    summary.latencyMs === undefined
      ? 'Latency: no timed registrations'
      : `Latency: p50 ${summary.latencyMs.p50} ms, p95 ${summary.latencyMs.p95} ms, max ${summary.latencyMs.max} ms`,
  );
  if (summary.slowest.length > 0) {
    lines.push('Slowest registrations (email hash):');
    lines.push(...summary.slowest.map((item) => `  ${item.emailHash}  ${String(item.latencyMs).padStart(6)} ms  ${shown(item.outcome)}  ${shown(item.at)}`));
  }
  if (summary.cappedKeys > 0)
    lines.push(`(${summary.cappedKeys} lines had keys beyond the first ${MAX_SUMMARY_KEYS} of a table: counted under "${OTHER_KEYS}".)`);
  return lines.join('\n');
}
