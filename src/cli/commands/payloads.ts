/**
 * `dynamics-hook payloads --out <dir> [--hook <kind>] [--known-email <address>] [--json]`:
 * writes sample arguments in the shape Strivacity passes to the hook, one file per case,
 * ready to paste into the console's Try Out box (which accepts at most 8,000 characters).
 *
 * The emails are those of the recorded responses (`npm start`, `try`); in a live Try Out only the
 * known-customer case needs a real contact's address, given with `--known-email` (it is written to
 * the file, never printed).
 */
import { join } from 'node:path';
import type { HookKind } from '../../build/artifact.js';
import { kindFacts } from '../../build/kinds.js';
import { type ArgsDef, defineCommand, type ParsedArgs } from '../args.js';
import { SHARED_ARGS } from '../shared-args.js';
import { makeFolder, writeTextFile } from '../files.js';
import { maskEmail } from '../../harness/mask-email.js';
import { emailSchema } from '../../hook/input.js';
import { UsageError } from '../errors.js';

/** The Try Out box of the Strivacity console accepts at most this many characters. */
export const MAX_PAYLOAD_CHARACTERS = 8000;

export type { PayloadCase } from '../../build/kinds/kind-facts.js';

/** Writes every sample of `hook` to `dir`; throws if one would not fit the Try Out box. */
export function writePayloads(
  dir: string,
  knownEmail?: string,
  hook: HookKind = 'pre-registration',
): Array<{ file: string; characters: number; description: string; expect: string }> {
  makeFolder(dir, 'Give --out the path of a folder (new or existing), not of a file.');
  const samples = kindFacts(hook).samplePayloads(knownEmail);
  return samples.map((sample) => {
    const text = `${JSON.stringify(sample.payload, null, 2)}\n`;
    if (text.length >= MAX_PAYLOAD_CHARACTERS) throw new Error(`${sample.file} has ${text.length} characters; Try Out accepts ${MAX_PAYLOAD_CHARACTERS}.`);
    writeTextFile(join(dir, sample.file), text);
    return { file: join(dir, sample.file), characters: text.length, description: sample.description, expect: sample.expect };
  });
}

const ARGS = {
  out: { type: 'string', valueHint: '<dir>', required: true, description: 'the folder to write the payload files to' },
  hook: SHARED_ARGS.hook,
  'known-email': { type: 'string', valueHint: '<address>', description: 'a real contact for the known-customer cases (written to the files, never printed)' },
  json: SHARED_ARGS.json,
} as const satisfies ArgsDef;

export const PAYLOADS_COMMAND = defineCommand({
  name: 'payloads',
  summary: 'write sample Try Out payloads',
  description: "Writes sample Try Out payloads (each under 8,000 characters) for the main cases of the kind, in the arguments' shape.",
  args: ARGS,
  run: writeSamples,
});

async function writeSamples(values: ParsedArgs<typeof ARGS>): Promise<{ exitCode: number }> {
  const hook = values.hook;
  const knownEmail = values['known-email'];
  // The hook would refuse it as invalid_email: every "known customer" case would test nothing.
  if (knownEmail !== undefined && !emailSchema.safeParse(knownEmail).success)
    throw new UsageError(`--known-email (${maskEmail(knownEmail)}) is not an email address the hook accepts.`);
  const written = writePayloads(values.out, knownEmail, hook);
  if (values.json) {
    console.log(JSON.stringify({ ok: true, hook, payloads: written }, null, 2));
    return { exitCode: 0 };
  }
  console.log(`Wrote ${written.length} ${hook} Try Out payloads (each under ${MAX_PAYLOAD_CHARACTERS.toLocaleString('en')} characters):`);
  for (const item of written) console.log(`  ${item.file}  (${item.characters} chars)  ${item.description} -> ${item.expect}`);
  if (values['known-email'] !== undefined) console.log(`The known-customer cases use ${maskEmail(values['known-email'])}.`);
  return { exitCode: 0 };
}
