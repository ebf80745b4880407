/**
 * What `try --hook post-registration` reports: the outcome and reason of the hook's
 * `registration.synced` log line, and the columns it wrote, computed by the hook's own mapping
 * (`sync.ts`) from the registration, so the same report works offline and live. Offline, the
 * stand-in's record of the requests it answered is shown beside it.
 */
import type { RecordedWrite } from '../../../harness/stand-in.js';
import type { Config } from '../../../hook/config.js';
import { parseRegistration } from '../../../hook/input.js';
import { columnValues, newContactData } from '../../../hook/sync.js';
import { maskForDisplay } from './try-mask.js';

export type SyncOutcome = 'updated' | 'created' | 'unchanged' | 'skipped' | 'failed' | 'none';

export interface SyncReport {
  readonly outcome: SyncOutcome;
  readonly reason: string | undefined;
  /** Column -> value written (emails masked); absent when nothing was written. */
  readonly columns?: Readonly<Record<string, unknown>>;
  /** Columns an existing contact kept (it held a value, or `sync.updateExisting` is `never`): names only. */
  readonly kept?: readonly string[];
  /** Offline only: the writes the stand-in answered (method, contact id, status, column names). */
  readonly requests?: readonly RecordedWrite[];
}

/** The sync report from the run's log lines; `requests` is the offline stand-in's record. */
export function describeSync(
  config: Config,
  payload: unknown,
  logLines: readonly unknown[],
  requests?: readonly RecordedWrite[],
  event = 'registration.synced',
): SyncReport {
  const synced = logLines.find(
    (line): line is { event: string; outcome?: SyncOutcome; reason?: string; columnsWritten?: unknown; columnsKept?: unknown } =>
      typeof line === 'object' && line !== null && (line as { event?: unknown }).event === event,
  );
  const outcome = synced?.outcome ?? 'none';
  const registration = parseRegistration(payload);
  const mapped =
    outcome === 'created' && registration.valid
      ? newContactData(config, registration.email, registration.attributes)
      : outcome === 'updated'
        ? columnValues(config, registration.attributes)
        : undefined;
  // The hook's line names the columns it wrote (fillEmpty writes only those that were empty).
  const writtenNames = namesOf(synced?.columnsWritten);
  const written =
    mapped === undefined || writtenNames === undefined
      ? mapped
      : Object.fromEntries(Object.entries(mapped).filter(([column]) => writtenNames.includes(column)));
  const kept = namesOf(synced?.columnsKept);
  return {
    outcome,
    reason: synced?.reason,
    // Values come from the registration (what the person typed), never from the CRM: only emails are masked.
    ...(written === undefined ? {} : { columns: maskForDisplay(written, payload, false) as Record<string, unknown> }),
    ...(kept === undefined || kept.length === 0 ? {} : { kept }),
    ...(requests === undefined ? {} : { requests }),
  };
}

/** The lines of `try`'s text report that are specific to the post-registration hook. */
export function formatSync(report: SyncReport): string[] {
  const lines = [`outcome       ${report.outcome}${report.reason === undefined ? '' : ` (${report.reason})`}`];
  const columns = Object.entries(report.columns ?? {});
  if (columns.length === 0) lines.push('columns       none written');
  else lines.push('columns       written to the contact:', ...columns.map(([column, value]) => `  ${column} = ${JSON.stringify(value)}`));
  if (report.kept !== undefined) lines.push(`kept          ${report.kept.join(', ')} (the contact's values stay: sync.updateExisting)`);
  if (report.requests !== undefined) {
    lines.push(
      report.requests.length === 0 ? 'requests      no write reached the stand-in' : 'requests      answered by the stand-in:',
      ...report.requests.map(
        (write) =>
          `  ${write.method} contacts${write.method === 'PATCH' ? `(${write.contactId})` : ''} [${[...write.columns].sort().join(', ')}] -> ${write.status}`,
      ),
    );
  }
  return lines;
}

/** Column names from a log line's list; anything else is ignored. */
function namesOf(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((name): name is string => typeof name === 'string') : undefined;
}
