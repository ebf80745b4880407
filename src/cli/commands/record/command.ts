/** The `record` command: records, writes the scrubbed files, prints what each lookup found. */
import { join } from 'node:path';
import { type ArgsDef, defineCommand, parseCommandArgs, type ParsedArgs } from '../../args.js';
import { required, SHARED_ARGS } from '../../shared-args.js';
import { makeFolder, readJsonFile, writeTextFile } from '../../files.js';
import { maskEmail } from '../../../harness/mask-email.js';
import { type RecordedLookup, type RecordedOutcome, recordLookups, type RecordOptions } from './record.js';
import { outsideText } from '../../terminal-text.js';

/** Writes one `lookup-<n>.json` per email and an `index.json`; returns the paths. */
export function writeRecordings(dir: string, lookups: readonly RecordedLookup[]): string[] {
  makeFolder(dir, 'Give --out the path of a folder (new or existing), not of a file.');
  const files = lookups.map((lookup) => {
    const file = join(dir, `lookup-${lookup.index}.json`);
    writeTextFile(file, `${JSON.stringify(lookup.definitions, null, 2)}\n`);
    return file;
  });
  const index = lookups.map((lookup) => ({ file: `lookup-${lookup.index}.json`, email: lookup.fakeEmail, outcome: lookup.outcome }));
  writeTextFile(join(dir, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
  return [...files, join(dir, 'index.json')];
}

const ARGS = {
  config: required(SHARED_ARGS.config),
  email: { type: 'string', valueHint: '<address>', multiple: true, required: true, description: 'an email to look up live (never printed whole)' },
  out: { type: 'string', valueHint: '<dir>', required: true, description: 'the folder to write the fixtures to' },
  json: SHARED_ARGS.json,
} as const satisfies ArgsDef;

type Seams = Pick<RecordOptions, 'readSecret' | 'fetch' | 'createClient'>;

export const RECORD_COMMAND = defineCommand({
  name: 'record',
  summary: 'record scrubbed fixtures from the live environment',
  description: "Runs the hook's lookup live for each email and writes scrubbed nock fixtures. Exit code 0 when every lookup succeeded.",
  args: ARGS,
  run: (values) => record(values, {}),
});

/** `record` with the transports `recordLookups` takes (a seam for tests). */
export async function recordCommand(argv: string[], seams: Seams = {}): Promise<{ exitCode: number }> {
  return record(parseCommandArgs(RECORD_COMMAND, argv), seams);
}

/** A failed lookup is still recorded, and its cause and fix printed. */
async function record(values: ParsedArgs<typeof ARGS>, seams: Seams): Promise<{ exitCode: number }> {
  const lookups = await recordLookups({ ...seams, rawConfig: readJsonFile(values.config), emails: values.email });
  const files = writeRecordings(values.out, lookups);
  const ok = lookups.every((lookup) => 'matches' in lookup.outcome);
  if (values.json) {
    console.log(
      JSON.stringify({ ok, files, lookups: lookups.map(({ index, fakeEmail, outcome, diagnosis }) => ({ index, fakeEmail, outcome, ...diagnosis })) }, null, 2),
    );
  } else {
    for (const [position, lookup] of lookups.entries()) {
      const asked = maskEmail(values.email[position]);
      const result =
        'matches' in lookup.outcome
          ? `${lookup.outcome.matches} contact(s)`
          : `FAILED ${describeFailure(lookup.outcome)}\n    cause: ${lookup.diagnosis?.cause}\n    fix:   ${lookup.diagnosis?.fix}`;
      // The failure's cause and fix may quote what Entra or Dataverse answered.
      console.log(outsideText(`${asked} -> ${lookup.fakeEmail}  lookup-${lookup.index}.json  ${result}`, { multiline: true }));
    }
    console.log(summariseRecording(files.length, values.out, lookups));
  }
  return { exitCode: ok ? 0 : 1 };
}

/**
 * The closing line. A failed lookup is still written (its exchange, for a test of the failure), so
 * the count of files alone would read as success: the failures are counted beside it.
 */
export function summariseRecording(fileCount: number, dir: string, lookups: readonly RecordedLookup[]): string {
  const failed = lookups.filter((lookup) => !('matches' in lookup.outcome)).length;
  const written = `Wrote ${fileCount} files to ${dir} (scrubbed: placeholder org, fake ids and personal data)`;
  if (failed === 0) return `${written}.`;
  return `${written}, but ${failed} of ${lookups.length} lookup(s) FAILED (above): their files hold the failed exchange, not a contact. Fix the cause and record again.`;
}

/** `forbidden (HTTP 403, 0x80072560)`: the codes a search engine knows. */
function describeFailure(outcome: Exclude<RecordedOutcome, { matches: number }>): string {
  const codes = [
    outcome.status === undefined ? undefined : `HTTP ${outcome.status}`,
    outcome.dataverseCode,
    outcome.aadsts === undefined ? undefined : `AADSTS${outcome.aadsts}`,
  ].filter((code) => code !== undefined);
  return codes.length === 0 ? outcome.failure : `${outcome.failure} (${codes.join(', ')})`;
}
