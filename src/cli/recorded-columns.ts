/**
 * Offline, a mistyped column (`mobilphone`) builds and runs without a word: the recorded contact
 * simply has no such value. Live, it fails every lookup with 400 (`0x80060888`, "Could not find a
 * property named ..."). `build` and `try` therefore compare the configured columns with the
 * recorded contact metadata (`dataverse-contact-attributes.json`) and warn.
 *
 * A warning, not a refusal: the recording holds a few dozen of the contact's standard columns,
 * and none of an environment's custom ones (`new_*`, `cr123_*`), so "not recorded" is not "does
 * not exist". `doctor` asks the live metadata, and fails there.
 */
import { type Config, syncColumnsOf } from '../hook/config.js';
import { readFixture } from '../harness/stand-in.js';
import { closestName } from './closest-name.js';

function recordedColumns(): Set<string> {
  const metadata = readFixture('dataverse-contact-attributes.json') as { value: Array<{ LogicalName: string }> };
  return new Set(metadata.value.map((attribute) => attribute.LogicalName));
}

/** The columns the hook reads (`enrich`) or writes (`sync`, when set), each with where it is configured. */
function configuredColumns(config: Config): Map<string, string> {
  const wanted = new Map<string, string>();
  for (const [path, column] of Object.entries(config.enrich)) wanted.set(column, `enrich.${path}`);
  if (config.sync !== undefined)
    for (const [column] of Object.entries(syncColumnsOf(config))) if (!wanted.has(column)) wanted.set(column, `sync.columns.${column}`);
  return wanted;
}

/**
 * One line per configured column the recorded metadata does not know: with a "did you mean" for a
 * near miss of a recorded column (almost surely a typo), else a note that doctor checks it live.
 */
export function unknownColumnWarnings(config: Config): string[] {
  const known = recordedColumns();
  const warnings: string[] = [];
  for (const [column, where] of configuredColumns(config)) {
    if (known.has(column)) continue;
    const suggestion = closestName(column, known);
    warnings.push(
      suggestion === undefined
        ? `warning: ${where}: column ${column} is not in the recorded contact metadata (standard columns only); run doctor to check it exists in your environment.`
        : `warning: ${where}: column ${column} is not a contact column, did you mean ${suggestion}? Live, every lookup would fail (HTTP 400); doctor checks the environment.`,
    );
  }
  return warnings;
}
