/**
 * `dynamics-hook payloads --out <dir> [--hook pre-registration|post-registration] [--known-email <address>] [--json]`:
 * writes sample registrations in the shape Strivacity passes to the hook, one file per case,
 * ready to paste into the console's Try Out box (which accepts at most 8,000 characters).
 *
 * The emails are those of the recorded responses (`npm start`, `try`); in a live Try Out only the
 * known-customer case needs a real contact's address, given with `--known-email` (it is written to
 * the file, never printed).
 */
import { join } from 'node:path';
import type { HookKind } from '../build/artifact.js';
import { parseOptions } from './args.js';
import { hookKindOf } from './commands/build.js';
import { makeFolder, writeTextFile } from './files.js';
import { maskEmail } from '../harness/mask-email.js';
import { registrationPayload } from '../harness/run-hook.js';
import { emailSchema } from '../hook/input.js';
import { UsageError } from './usage.js';

/** The Try Out box of the Strivacity console accepts at most this many characters. */
export const MAX_PAYLOAD_CHARACTERS = 8000;

export interface PayloadCase {
  readonly file: string;
  readonly description: string;
  /** What the hook decides against the recorded responses with the default policy. */
  readonly expect: string;
  readonly payload: Record<string, unknown>;
}

function withTypedName(payload: Record<string, unknown>, givenName: string): Record<string, unknown> {
  const customer = payload['customer'] as { attributes: Record<string, unknown> };
  return { ...payload, customer: { ...customer, attributes: { ...customer.attributes, name: { givenName, familyName: '' } } } };
}

/** A registration as the post-registration hook sees it: the form filled in. */
function completedRegistration(email: string, attributes: Record<string, unknown> = {}): Record<string, unknown> {
  const payload = registrationPayload(email);
  const customer = payload['customer'] as { attributes: Record<string, unknown> };
  const filled = { name: { givenName: 'Alan', familyName: 'Turing' }, phoneNumbers: { primaryPhoneNumber: '+44 20 7946 0000' }, ...attributes };
  return { ...payload, customer: { ...customer, attributes: { ...customer.attributes, ...filled } } };
}

/**
 * The post-registration hook's cases. No case carries a contact link: a link is bound to the
 * tenant and is written by the pre-registration hook, so the email decides here.
 */
export function postRegistrationPayloads(knownEmail = 'ada.lovelace@example.com'): PayloadCase[] {
  return [
    {
      file: '01-known-customer.json',
      description: 'one contact has this email; the form has a name and a phone',
      expect: 'unchanged (email_match): it holds every column (fillEmpty); updated with updateExisting overwrite',
      payload: completedRegistration(knownEmail),
    },
    {
      file: '02-known-customer-blank-form.json',
      description: 'one contact has this email; nothing mapped was typed',
      expect: 'unchanged (email_match): a blank field never erases a CRM value',
      payload: completedRegistration(knownEmail, { name: { givenName: '', familyName: '' }, phoneNumbers: {} }),
    },
    {
      file: '03-new-customer.json',
      description: 'no contact has this email',
      expect: 'created (no_match), or skipped with sync.createIfMissing false',
      payload: completedRegistration('new.person@example.com'),
    },
    {
      file: '04-two-contacts.json',
      description: 'two contacts share the email',
      expect: 'updated (email_match_most_recent): the newest one, only its empty columns',
      payload: completedRegistration('grace.hopper@example.com'),
    },
    {
      file: '05-invalid-email.json',
      description: 'not an email address',
      expect: 'skipped (invalid_email), Dataverse not asked',
      payload: completedRegistration('not-an-email'),
    },
  ];
}

/** The main cases, in the order an administrator would try them. */
export function samplePayloads(knownEmail = 'ada.lovelace@example.com'): PayloadCase[] {
  return [
    {
      file: '01-known-customer.json',
      description: 'one contact has this email',
      expect: 'allow, enriched, contact id in session',
      payload: registrationPayload(knownEmail),
    },
    {
      file: '02-known-customer-name-typed.json',
      description: 'known customer who typed a first name',
      expect: 'allow; the typed name is kept unless enrichOverwrite is true',
      payload: withTypedName(registrationPayload(knownEmail), 'Augusta'),
    },
    { file: '03-not-in-crm.json', description: 'no contact has this email', expect: 'policy.notFound', payload: registrationPayload('new.person@example.com') },
    {
      file: '04-not-in-crm-german.json',
      description: 'unknown email, German UI',
      expect: 'policy.notFound, message in "de" if configured',
      payload: registrationPayload('neu@example.de', ['de-DE', 'en']),
    },
    {
      file: '05-two-contacts.json',
      description: 'two contacts share the email',
      expect: 'policy.multipleMatches',
      payload: registrationPayload('grace.hopper@example.com'),
    },
    {
      file: '06-apostrophe.json',
      description: 'an apostrophe in the email (OData quote doubling)',
      expect: 'allow',
      payload: registrationPayload("siobhan.o'brien@example.com"),
    },
    {
      file: '07-invalid-email.json',
      description: 'not an email address',
      expect: 'policy.invalidEmail, Dataverse not asked',
      payload: registrationPayload('not-an-email'),
    },
    {
      file: '08-injection-attempt.json',
      description: 'an OData injection attempt',
      expect: 'policy.invalidEmail (refused before any query)',
      payload: registrationPayload("x' or emailaddress1 ne 'y@example.com"),
    },
  ];
}

/** Writes every sample of `hook` to `dir`; throws if one would not fit the Try Out box. */
export function writePayloads(
  dir: string,
  knownEmail?: string,
  hook: HookKind = 'pre-registration',
): Array<{ file: string; characters: number; description: string; expect: string }> {
  makeFolder(dir, 'Give --out the path of a folder (new or existing), not of a file.');
  const samples = hook === 'post-registration' ? postRegistrationPayloads(knownEmail) : samplePayloads(knownEmail);
  return samples.map((sample) => {
    const text = `${JSON.stringify(sample.payload, null, 2)}\n`;
    if (text.length >= MAX_PAYLOAD_CHARACTERS) throw new Error(`${sample.file} has ${text.length} characters; Try Out accepts ${MAX_PAYLOAD_CHARACTERS}.`);
    writeTextFile(join(dir, sample.file), text);
    return { file: join(dir, sample.file), characters: text.length, description: sample.description, expect: sample.expect };
  });
}

export async function payloadsCommand(argv: string[]): Promise<{ exitCode: number }> {
  const values = parseOptions(
    'payloads',
    { out: { type: 'string' }, 'known-email': { type: 'string' }, hook: { type: 'string' }, json: { type: 'boolean', default: false } },
    argv,
  );
  if (values.out === undefined) throw new UsageError('payloads needs --out <dir>.');
  const hook = hookKindOf(values.hook);
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
