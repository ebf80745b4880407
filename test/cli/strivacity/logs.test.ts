/**
 * `logs` against the Admin API stand-in seeded with event hook log entries that carry the hook's own
 * JSON lines (src/log.ts): paging, the period filter, the summary, and the retired endpoints.
 */
import { describe, expect, it } from 'vitest';
import { LOG_PAGE_SIZE, parsePeriod } from '../../../src/cli/commands/logs/logs.js';
import type { StoredLog } from '../../../src/harness/strivacity/stand-in-state.js';
import type { LogLine } from '../../../src/hook/log.js';
import { useAdminHarness } from './helpers.js';

const harness = useAdminHarness();
const NOW = Date.now();
const HOOK = { id: 'hook-1', name: 'Dynamics 365 pre-registration', type: 'PRE_REGISTRATION' };

function entry(index: number, lines: readonly (LogLine | string)[], hook = HOOK, minutesAgo = 10): StoredLog {
  const timestamp = new Date(NOW - minutesAgo * 60_000 + index).toISOString();
  return {
    id: `log-${hook.id}-${index}`,
    timestamp,
    hook,
    logs: lines.map((line) => ({
      level: typeof line === 'string' ? 'info' : line.level,
      message: typeof line === 'string' ? line : JSON.stringify(line),
      timestamp,
    })),
  };
}

function decided(latencyMs: number, outcome: 'allow' | 'showError', reason: NonNullable<LogLine['reason']>, emailHash: string): LogLine {
  return { level: 'info', event: 'registration.decided', hook: 'pre-registration', outcome, reason, latencyMs, attempts: 1, emailHash };
}

/** 130 runs of the hook (two pages), one of another hook, one outside the period. */
function seed(): void {
  const logs: StoredLog[] = [];
  for (let index = 0; index < 120; index += 1) logs.push(entry(index, [decided(100 + index, 'allow', 'matched', index.toString(16).padStart(12, '0'))]));
  for (let index = 120; index < 125; index += 1)
    logs.push(
      entry(index, [
        { level: 'error', event: 'token.renewal_failed', failure: 'auth', stage: 'token', status: 401, aadsts: 7000215 },
        decided(900, 'showError', 'lookup_failed', 'aaaaaaaaaaa' + String(index - 120)),
      ]),
    );
  for (let index = 125; index < 130; index += 1)
    logs.push(
      entry(index, [
        {
          level: 'error',
          event: 'registration.decided',
          hook: 'pre-registration',
          outcome: 'showError',
          reason: 'lookup_failed',
          failure: 'forbidden',
          stage: 'dataverse',
          status: 403,
          dataverseCode: '0x80040220',
          latencyMs: 300,
          emailHash: 'bbbbbbbbbbb' + String(index - 125),
        },
        'a plain console line from somewhere else, with person@example.com in it',
      ]),
    );
  logs.push(entry(0, [decided(5, 'allow', 'matched', 'cccccccccccc')], { id: 'hook-2', name: 'Another hook', type: 'PRE_REGISTRATION' }));
  logs.push(entry(999, [decided(99_999, 'allow', 'matched', 'dddddddddddd')], HOOK, 60 * 24 * 3));
  harness.standIn.state.logs.push(...logs);
}

function logs(...extra: string[]) {
  return harness.run('logs', '--strivacity', harness.standIn.url, ...extra);
}

describe('logs', () => {
  it('follows the paging, keeps to the hook and the period, and sums up outcomes, failures and latency', async () => {
    seed();
    const { code, out } = await logs('--since', '1h');
    expect(code).toBe(0);
    const lists = harness.standIn.requests.filter((request) => request.operationId === 'getEventHookLogs');
    expect(lists).toHaveLength(Math.ceil(130 / LOG_PAGE_SIZE));
    expect(out).toMatch(/^logs of "Dynamics 365 pre-registration" from \S+ to \S+: 130 hook runs, 130 registrations \(135 hook log lines, 5 other lines\)/);
    expect(out).toContain('By outcome/reason:\n     120  allow/matched\n      10  showError/lookup_failed');
    expect(out).toContain('Failures by class:\n       5  auth (token): AADSTS7000215 x5\n       5  forbidden (dataverse): 0x80040220 x5');
    expect(out).toContain('Latency: p50 164 ms, p95 300 ms, max 900 ms');
    expect(out).toMatch(/Slowest registrations \(email hash\):\n {2}aaaaaaaaaaa0 {5}900 ms {2}showError\/lookup_failed/);
    expect(out).not.toContain('example.com');
  });

  it('prints the summary as JSON for scripts', async () => {
    seed();
    const { out } = await logs('--from', new Date(NOW - 3_600_000).toISOString(), '--to', new Date(NOW).toISOString(), '--json');
    const summary = JSON.parse(out) as { entries: number; failures: Record<string, { count: number }>; latencyMs: { max: number }; truncated: boolean };
    expect(summary).toMatchObject({ entries: 130, truncated: false, latencyMs: { max: 900 } });
    expect(summary.failures['auth (token)']?.count).toBe(5);
  });

  it('says that the endpoint was retired when the log API answers 410', async () => {
    harness.standIn.settings.retiredLogs = 410;
    const { code, out } = await logs();
    expect(code).toBe(1);
    expect(out).toBe(
      'Strivacity Admin API getEventHookLogs answered 410: this instance no longer serves the hook log endpoint (Strivacity retired legacy hook log endpoints on 2025-08-19). Read the logs in the console (Lifecycle Event Hooks > Event hook logs), and ask Strivacity support for the endpoint that replaced it.',
    );
  });

  it('treats a 404 from the log API as the retired endpoint too', async () => {
    harness.standIn.settings.retiredLogs = 404;
    const { code, out } = await logs();
    expect(code).toBe(1);
    expect(out).toMatch(/^Strivacity Admin API getEventHookLogs answered 404: this instance no longer serves/);
  });

  it('reads --since in seconds, minutes, hours and days, and refuses anything else', () => {
    const now = Date.parse('2026-11-30T12:00:00Z');
    expect(parsePeriod({ since: '90m' }, now).start.toISOString()).toBe('2026-11-30T10:30:00.000Z');
    expect(parsePeriod({ since: '7d' }, now).start.toISOString()).toBe('2026-11-23T12:00:00.000Z');
    expect(parsePeriod({}, now).start.toISOString()).toBe('2026-11-29T12:00:00.000Z');
    expect(() => parsePeriod({ since: 'an hour' }, now)).toThrow('--since takes a number and a unit: 30m, 1h, 7d.');
    expect(() => parsePeriod({ from: '2026-11-30T12:00:00Z', to: '2026-11-30T11:00:00Z' }, now)).toThrow('--from must be before --to.');
    expect(() => parsePeriod({ since: '1h', from: '2026-11-30T11:00:00Z' }, now)).toThrow('logs takes --since or --from, not both.');
  });
});
