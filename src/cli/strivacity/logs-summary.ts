/**
 * Reads the hook's own log lines out of Strivacity's event hook logs and sums them up: registrations
 * per outcome and reason, failures per class with their Dataverse code / AADSTS number, latency
 * percentiles, and the slowest registrations (by email hash: the hook never logs an email). Lines
 * that are not the hook's JSON (another hook's, a library's) are counted, never echoed. A pure
 * function of the entries.
 */
import { z } from 'zod';
import type { LogEntry } from './admin-client.js';

/** The fields of the hook's JSON log line (src/log.ts) that the summary reads; others are ignored. */
const hookLine = z.looseObject({
  level: z.enum(['debug', 'info', 'warn', 'error']),
  event: z.string().regex(/^[a-z]+\.[a-z_]+$/),
  hook: z.enum(['pre-registration', 'post-registration']).optional(),
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
}

function parseLine(message: string | undefined): HookLine | undefined {
  if (message === undefined) return undefined;
  const text = message.trim();
  if (!text.startsWith('{')) return undefined;
  try {
    const parsed = hookLine.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

const REGISTRATION_EVENTS = new Set(['registration.decided', 'registration.synced']);

export function summariseLogs(entries: readonly LogEntry[], slowestCount = 5): LogSummary {
  let hookLines = 0;
  let otherLines = 0;
  const byOutcome: Record<string, number> = {};
  const failures: Record<string, { count: number; codes: Record<string, number> }> = {};
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
      if (REGISTRATION_EVENTS.has(line.event)) {
        const key = `${line.outcome ?? '?'}/${line.reason ?? '?'}`;
        byOutcome[key] = (byOutcome[key] ?? 0) + 1;
        if (line.latencyMs !== undefined) {
          latencies.push(line.latencyMs);
          if (line.emailHash !== undefined)
            timed.push({ emailHash: line.emailHash, latencyMs: line.latencyMs, outcome: key, at: raw.timestamp ?? entry.timestamp ?? '' });
        }
      }
      if (line.failure !== undefined) {
        const key = `${line.failure}${line.stage === undefined ? '' : ` (${line.stage})`}`;
        const bucket = (failures[key] ??= { count: 0, codes: {} });
        bucket.count += 1;
        const code =
          line.aadsts !== undefined ? `AADSTS${line.aadsts}` : (line.dataverseCode ?? (line.status === undefined ? undefined : `HTTP ${line.status}`));
        if (code !== undefined) bucket.codes[code] = (bucket.codes[code] ?? 0) + 1;
      }
    }
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    entries: entries.length,
    hookLines,
    otherLines,
    registrations: Object.values(byOutcome).reduce((sum, count) => sum + count, 0),
    byOutcome,
    failures,
    latencyMs: sorted.length === 0 ? undefined : { p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted.at(-1) ?? 0 },
    slowest: timed.sort((a, b) => b.latencyMs - a.latencyMs).slice(0, slowestCount),
  };
}

export function formatSummary(summary: LogSummary, period: string): string {
  const lines = [
    `logs ${period}: ${summary.entries} hook runs, ${summary.registrations} registrations (${summary.hookLines} hook log lines, ${summary.otherLines} other lines)`,
  ];
  lines.push('By outcome/reason:');
  const outcomes = Object.entries(summary.byOutcome).sort((a, b) => b[1] - a[1]);
  lines.push(...(outcomes.length === 0 ? ['  (none)'] : outcomes.map(([key, count]) => `  ${String(count).padStart(6)}  ${key}`)));
  lines.push('Failures by class:');
  const failures = Object.entries(summary.failures).sort((a, b) => b[1].count - a[1].count);
  lines.push(
    ...(failures.length === 0
      ? ['  (none)']
      : failures.map(([key, bucket]) => {
          const codes = Object.entries(bucket.codes).map(([code, count]) => `${code} x${count}`);
          return `  ${String(bucket.count).padStart(6)}  ${key}${codes.length === 0 ? '' : `: ${codes.join(', ')}`}`;
        })),
  );
  lines.push(
    summary.latencyMs === undefined
      ? 'Latency: no timed registrations'
      : `Latency: p50 ${summary.latencyMs.p50} ms, p95 ${summary.latencyMs.p95} ms, max ${summary.latencyMs.max} ms`,
  );
  if (summary.slowest.length > 0) {
    lines.push('Slowest registrations (email hash):');
    lines.push(...summary.slowest.map((item) => `  ${item.emailHash}  ${String(item.latencyMs).padStart(6)} ms  ${item.outcome}  ${item.at}`));
  }
  return lines.join('\n');
}
