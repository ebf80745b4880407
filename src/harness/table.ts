/**
 * Column-aligned text tables for `npm start` (plain, a dashed rule under the header) and
 * `npm run bench` (Markdown, pasted into the README as is). Kept apart from both so that neither
 * pulls in the other's dependencies (the demo's stand-ins load nock).
 */
export function formatTable(rows: readonly (readonly string[])[], style: 'plain' | 'markdown' = 'plain'): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  const padded = (row: readonly string[]) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0));
  const rule = style === 'markdown' ? `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|` : widths.map((w) => '-'.repeat(w)).join('  ');
  return rows
    .flatMap((row, index) => {
      const line = style === 'markdown' ? `| ${padded(row).join(' | ')} |` : padded(row).join('  ').trimEnd();
      return index === 0 ? [line, rule] : [line];
    })
    .join('\n');
}
