/**
 * The text `contract` prints. Every value that came from the API (type names, blocking, target,
 * snippet and integration names, key paths, names read out of the code) goes through
 * `outsideText` one by one, on one line each, so an answer can neither send a terminal a control
 * sequence nor start a line that looks like ours. Sample values are never printed: only paths.
 */
import { outsideText } from '../../terminal-text.js';
import type { DescriptorRow, Snippet } from './contract-client.js';
import type { DynamicsTemplates } from './dynamics-integration.js';
import type { LeftBehind } from './probe-type.js';
import type { ExportedFunction } from './read-code.js';
import type { TypeContract } from './type-contract.js';

/** Items of a list printed at most; the rest are counted. */
export const MAX_LISTED = 60;

const text = (value: string | number | undefined, maxLength = 120): string => (value === undefined ? '-' : outsideText(String(value), { maxLength }));

function list(items: readonly string[], empty: string): string {
  if (items.length === 0) return empty;
  const shown = items.slice(0, MAX_LISTED).map((item) => text(item));
  return items.length > MAX_LISTED ? `${shown.join(', ')} … (${items.length - MAX_LISTED} more)` : shown.join(', ');
}

/** The descriptor as a table, one row per type. */
export function formatDescriptor(tenant: URL, rows: readonly DescriptorRow[]): string {
  const cells = rows.map((row) => [text(row.name, 64), text(row.blocking, 20), text(row.target, 20), text(row.count, 20)]);
  const header = ['type', 'blocking', 'target', 'count'];
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((cell) => cell[column]?.length ?? 0)) + 2);
  const line = (cell: readonly string[]) =>
    `  ${cell.map((value, column) => (column === cell.length - 1 ? value : value.padEnd(widths[column] ?? 0))).join('')}`;
  return [`Hook types of ${tenant.origin} (GET /admin/api/v1/eventHooks/descriptor): ${rows.length}`, line(header), ...cells.map(line)].join('\n');
}

export function formatTemplates(templates: DynamicsTemplates, files: readonly string[]): string {
  switch (templates.status) {
    case 'no-plugin-library':
      return 'Plugin library: not on this instance (GET /admin/api/v2/pluginLibrary/eventHooks answered 404).';
    case 'not-listed':
      return `Plugin library: ${templates.integrations} integrations, none of them Microsoft Dynamics 365.`;
    case 'found': {
      const hooks = Object.entries(templates.integration.hooks ?? {});
      const named = hooks.map(([key, template]) => (template.name === undefined ? key : `${key} "${template.name}"`));
      return [
        `Plugin library: ${text(templates.displayName ?? templates.id)} (${text(templates.id)}): ${hooks.length} template${hooks.length === 1 ? '' : 's'}${hooks.length === 0 ? '' : `: ${list(named, '')}`}`,
        ...(files.length === 0 ? [] : [`  files: ${list(files, '')}`]),
      ].join('\n');
    }
  }
}

function snippetName(snippet: Snippet): string {
  return snippet.name === undefined ? (snippet.id ?? '?') : `"${snippet.name}"${snippet.id === undefined ? '' : ` (${snippet.id})`}`;
}

function signature(exported: ExportedFunction | undefined, hasCode: boolean): string {
  if (!hasCode) return 'no code in the answer';
  if (exported === undefined) return 'no module.exports = <function> found';
  const first =
    exported.argument === undefined ? '' : 'name' in exported.argument ? exported.argument.name : `{ ${exported.argument.destructures.join(', ')} }`;
  return text(`(${[first, ...exported.callbacks].filter((part) => part !== '').join(', ')})`, 400);
}

/** One type's block. */
export function formatType(contract: TypeContract, leftBehind: readonly LeftBehind[]): string {
  const stuck = leftBehind.find((entry) => entry.type === contract.type && entry.name === contract.probeName);
  const body = contract.body;
  const bodyPaths = !body.present
    ? 'no requestBody in the answer'
    : !body.json
      ? 'the requestBody is not JSON (saved as received)'
      : `${list(body.paths, '(empty object)')}${body.truncated ? ' (cut: too many or too deep)' : ''}`;
  const classes = contract.resultClasses.map((entry) => `${entry.name} (${entry.declared ? 'declared in the code' : 'runtime global'})`);
  const callbacks = contract.exported?.callbacks ?? [];
  return [
    '',
    `${text(contract.type, 64)}: blocking ${text(contract.blocking, 20)}, target ${text(contract.target, 20)}`,
    `  temporary hook        "${text(contract.probeName)}": created, read back, ${stuck === undefined ? 'deleted' : 'NOT deleted (see above)'}`,
    `  arguments (JSDoc)     ${list(
      contract.argumentPaths.map((entry) => entry.path),
      contract.hasCode ? 'none documented' : '-',
    )}`,
    `  arguments (sample)    ${bodyPaths}`,
    `  result classes        ${list(classes, contract.hasCode ? 'none named' : '-')}`,
    `  exported function     ${signature(contract.exported, contract.hasCode)}`,
    `  callback parameters   ${list(callbacks, contract.exported === undefined ? '-' : 'none (Strivacity gets no answer from this type)')}`,
    `  snippets              ${list(contract.snippets.map(snippetName), 'none')}`,
    ...(contract.files.length === 0 ? [] : [`  files                 ${list(contract.files, '')}`]),
  ].join('\n');
}

/** The line for a temporary hook that is (or may be) still there: its name and id, so it can be deleted. */
export function formatLeftBehind(entry: LeftBehind): string {
  const which = entry.id === undefined ? `"${text(entry.name)}"` : `"${text(entry.name)}" (id ${text(entry.id, 200)})`;
  const how = entry.id === undefined ? '' : ` or DELETE /admin/api/v1/eventHooks/function/${text(entry.id, 200)}`;
  return `Could not delete the temporary ${text(entry.type, 64)} hook ${which}: ${text(entry.reason, 400)} Delete it in the console (Lifecycle Event Hooks)${how}.`;
}

export function formatDone(read: number, leftBehind: readonly LeftBehind[], outDir: string | undefined): string {
  const hooks = leftBehind.length === 0 ? 'every temporary hook was deleted' : `${leftBehind.length} temporary hook(s) could NOT be deleted (see above)`;
  const saved = outDir === undefined ? (read === 0 ? '' : '; nothing saved (--out <dir> saves the code and bodies)') : `; files in ${text(outDir, 400)}`;
  return `\nDone: ${read} type${read === 1 ? '' : 's'} read${read === 0 ? '' : `, ${hooks}`}${saved}; nothing was deployed.`;
}
