/**
 * `deletion.setColumns`: the values the deletion hook stamps on the contact it deactivates, in the
 * same PATCH. A small value language, validated with the rest of the config, so that a typo is a
 * build error rather than a literal written into every deactivated contact:
 *
 * - `"$now"`: the time the hook ran, ISO 8601 in UTC (`2026-12-03T10:15:00.000Z`), for a Date and
 *   Time column. The hook cannot know when the account was deleted (the arguments are unpublished),
 *   only when it was told.
 * - `"$today"`: that time's UTC date (`2026-12-03`), for a Date Only column: the Web API types those
 *   `Edm.Date` and refuses a time in them.
 * - `"$$text"`: the text `$text` (one `$` dropped), for a literal that starts with `$`.
 * - any other text without a leading `$` (at most 500 characters), a number, `true`/`false`, or
 *   `null` (clears the column); any other `$...` is refused, so `$Now` does not slip through.
 */
import { z } from 'zod';
import { containsBatchMarker } from './values.js';

const TOKENS = ['$now', '$today'] as const;

export const stampValue = z.union([
  z
    .string()
    .max(500)
    .refine((text) => !text.startsWith('$') || text.startsWith('$$') || (TOKENS as readonly string[]).includes(text), 'use $now, $today, or $$ for a literal $')
    // A value holding the library's batch marker would break every later read of the contact.
    .refine((text) => !containsBatchMarker(text), 'must not contain --batchresponse_'),
  z.number().refine(Number.isFinite, 'must be a finite number'),
  z.boolean(),
  z.null(),
]);
export type StampValue = z.infer<typeof stampValue>;

/** A column value as the PATCH sends it. */
export type StampedValue = string | number | boolean | null;

/** The values of `setColumns` for a run at `atMs` (epoch milliseconds): computed once, so every retry sends the same. */
export function stampedColumns(setColumns: Readonly<Record<string, StampValue>>, atMs: number): Record<string, StampedValue> {
  const now = new Date(atMs).toISOString();
  const stamped: Record<string, StampedValue> = {};
  for (const [column, value] of Object.entries(setColumns)) stamped[column] = typeof value === 'string' ? resolveText(value, now) : value;
  return stamped;
}

function resolveText(text: string, nowIso: string): string {
  if (text === '$now') return nowIso;
  if (text === '$today') return nowIso.slice(0, 10);
  return text.startsWith('$$') ? text.slice(1) : text;
}
