/** What `doctor` reports: one result per step, and the report as plain text. */
import { outsideText } from '../../terminal-text.js';

export type StepName = 'config' | 'secret' | 'discovery' | 'token' | 'whoami' | 'read' | 'columns' | 'privileges';
/** `warn`: works for some hook kinds, not all; named in the cause. Does not fail the report. */
export type StepStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface StepResult {
  readonly step: StepName;
  readonly title: string;
  readonly status: StepStatus;
  readonly latencyMs: number;
  /** What was found (ok), what went wrong (fail) or why the step did not run (skip). */
  readonly detail: string;
  /** The error code a search engine knows: `AADSTS7000215`, `0x80072560`, `HTTP 401`, ... */
  readonly code?: string;
  readonly cause?: string;
  readonly fix?: string;
}

export interface DoctorReport {
  /** True only when no step failed. */
  readonly ok: boolean;
  readonly steps: readonly StepResult[];
  /** The Dataverse URL checked (from the config, or resolved through discovery). */
  readonly dataverseUrl?: string;
}

export const TITLES: Record<StepName, string> = {
  config: 'config is valid',
  secret: 'secret variable is present',
  discovery: 'organisation resolved by the Global Discovery Service',
  token: 'token from Entra ID',
  whoami: 'Dataverse reachable, app known (WhoAmI)',
  read: 'read privilege on contacts',
  columns: 'configured columns exist on contact',
  privileges: 'write and create privileges (post-registration hook)',
};

/** A step's outcome before timing is added. */
export type Outcome =
  | { readonly status: 'ok'; readonly detail: string }
  | { readonly status: 'fail' | 'warn'; readonly detail: string; readonly cause: string; readonly fix: string; readonly code?: string };

/** The report as plain text: one line per step, then cause and fix under a failed one. */
export function formatDoctorReport(report: DoctorReport): string {
  const labels: Record<StepStatus, string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', skip: 'skip' };
  const nameWidth = Math.max(...report.steps.map((s) => s.step.length));
  const lines = report.steps.map((s) => {
    const head = `${labels[s.status]}  ${s.step.padEnd(nameWidth)}  ${s.title}`;
    const timing = s.status === 'skip' ? '' : ` (${s.latencyMs} ms)`;
    // Details, causes and codes may quote what Entra, the discovery service or Dataverse answered: one clean line each.
    const body = [`${head}${timing}`, `${' '.repeat(nameWidth + 8)}${s.code === undefined ? '' : `[${outsideText(s.code)}] `}${outsideText(s.detail)}`];
    if (s.cause !== undefined) body.push(`${' '.repeat(nameWidth + 8)}cause: ${outsideText(s.cause)}`);
    if (s.fix !== undefined) body.push(`${' '.repeat(nameWidth + 8)}fix:   ${outsideText(s.fix)}`);
    return body.join('\n');
  });
  const failed = report.steps.filter((s) => s.status === 'fail').length;
  const checked = report.steps.filter((s) => s.status !== 'skip').length;
  const warned = report.steps.filter((s) => s.status === 'warn').length;
  const warnings = warned === 0 ? '' : ` (${warned} warning${warned === 1 ? '' : 's'}: see above)`;
  lines.push(failed === 0 ? `\nAll ${checked} checks passed${warnings}.` : `\n${failed} of ${checked} checks failed; the hook would not work with this setup.`);
  return lines.join('\n');
}
