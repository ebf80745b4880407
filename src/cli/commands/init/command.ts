/**
 * `dynamics-hook init`: writes a commented starter config from flags, asking for what is missing
 * when a person is at the terminal. Each answer is checked by the hook's own schema as it is given,
 * and asked again with the reason; flags are checked together before writing. Never replaces a
 * file without `--force`; never writes a config that would not build.
 *
 * Ctrl-C or Ctrl-D at a prompt rejects the question (readline's AbortError): nothing here catches
 * it, so it reaches the command line's one handler, and nothing is written.
 */
import { dirname, relative, resolve, sep } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../../hook/config.js';
import { HookError } from '../../../hook/errors.js';
import { type ArgsDef, defineCommand, parseCommandArgs, type ParsedArgs } from '../../args.js';
import { HOOK_KIND_NAMES, type HookKind } from '../../../build/kinds.js';
import { makeFolder, writeTextFile } from '../../files.js';
import { renderStarterConfig, starterConfig, type StarterValues } from './render.js';
import { invocation } from '../../invocation.js';
import { UsageError } from '../../errors.js';

/** The JSON Schema generated from the zod schema (`npm run schema`), shipped in the project. */
const SCHEMA_FILE = fileURLToPath(new URL('../../../build/hook.config.schema.json', import.meta.url));
const DEFAULT_ENRICH = { 'name.givenName': 'firstname', 'name.familyName': 'lastname', 'phoneNumbers.primaryPhoneNumber': 'mobilephone' };

/** How init talks to a person; a seam for tests. */
export interface InitIo {
  /** True when a person can answer (stdin is a terminal). */
  readonly interactive: boolean;
  /** Asks one question; resolves to the answer ('' for the default). */
  ask(question: string): Promise<string>;
  close(): void;
}

function terminalIo(): InitIo {
  const interactive = process.stdin.isTTY === true;
  const readline = interactive ? createInterface({ input: process.stdin, output: process.stdout }) : undefined;
  return { interactive, ask: async (question) => (readline === undefined ? '' : readline.question(question)), close: () => readline?.close() };
}

const DECISIONS = ['allow', 'showError', 'deny'] as const;

const ARGS = {
  out: { type: 'string', valueHint: '<file>', default: 'hook.config.jsonc', description: 'where to write; an existing file is kept unless --force' },
  url: { type: 'string', valueHint: '<environment URL>', description: 'the Dataverse environment, https://<name>.crm<N>.dynamics.com' },
  tenant: { type: 'string', valueHint: '<GUID>', description: 'the Entra directory (tenant) id' },
  client: { type: 'string', valueHint: '<GUID>', description: "the app registration's application (client) id" },
  'secret-variable': { type: 'string', valueHint: '<NAME>', description: 'the variable that holds the client secret (default DYNAMICS_CLIENT_SECRET)' },
  'not-found': { type: 'string', choices: DECISIONS, description: 'someone not in the CRM registers (default allow)' },
  'multiple-matches': {
    type: 'string',
    choices: ['allowMostRecent', 'showError', 'deny'],
    description: 'several contacts share the email (default allowMostRecent)',
  },
  'on-error': { type: 'string', choices: DECISIONS, description: 'the CRM or the token fails (default showError)' },
  enrich: { type: 'string', valueHint: '<attribute path>=<column>', multiple: true, description: 'an attribute to complete from a contact column' },
  kinds: {
    type: 'string',
    valueHint: '<kind>',
    choices: HOOK_KIND_NAMES,
    multiple: true,
    description: 'a hook you will build from this config (asked otherwise: the gates at sign-in and social sign-up)',
  },
  yes: { type: 'boolean', default: false, description: 'ask nothing: missing required values are an error naming their flags' },
  force: { type: 'boolean', default: false, description: 'replace an existing file' },
} as const satisfies ArgsDef;

export const INIT_COMMAND = defineCommand({
  name: 'init',
  summary: 'write a commented starter config (flags or prompts)',
  description: `Writes a commented starter config (JSON with comments), with a "$schema" reference so that
editors complete and check it. Asks for what is missing when run in a terminal, checking each
answer as it is given (the enrich answer changes the defaults it shows); with --yes, or when input
is not a terminal, the missing required values are an error naming their flags. Ctrl-C or Ctrl-D
at a prompt stops it (exit code 130) and writes nothing.`,
  args: ARGS,
  run: (values) => initWith(values, terminalIo()),
});

/** Each value: its flag, the question, and its default (none: required). */
const QUESTIONS = [
  { key: 'url', flag: '--url', question: 'Dataverse environment URL (https://<name>.crm<N>.dynamics.com)' },
  { key: 'tenant', flag: '--tenant', question: 'Entra Directory (tenant) ID' },
  { key: 'client', flag: '--client', question: 'App registration Application (client) ID' },
  { key: 'secret-variable', flag: '--secret-variable', question: 'Name of the variable that holds the client secret', fallback: 'DYNAMICS_CLIENT_SECRET' },
  { key: 'not-found', flag: '--not-found', question: 'Someone not in the CRM registers: allow | showError | deny', fallback: 'allow' },
  {
    key: 'multiple-matches',
    flag: '--multiple-matches',
    question: 'Several contacts share the email: allowMostRecent | showError | deny',
    fallback: 'allowMostRecent',
  },
  { key: 'on-error', flag: '--on-error', question: 'The CRM or the token fails: allow | showError | deny', fallback: 'showError' },
] as const;

/** Config paths as the flags that set them, so a validation message names what to retype. */
const FLAG_OF_PATH: Readonly<Record<string, string>> = {
  'dataverse.url': '--url',
  'auth.tenantId': '--tenant',
  'auth.clientId': '--client',
  'auth.clientSecretVariable': '--secret-variable',
  'policy.notFound': '--not-found',
  'policy.multipleMatches': '--multiple-matches',
  'policy.onError': '--on-error',
  enrich: '--enrich',
};

/** Known-good values for the answers not yet given, so that one answer can be checked alone. */
const PLACEHOLDERS: Readonly<Record<string, string>> = {
  url: 'https://contoso.crm.dynamics.com',
  tenant: '00000000-0000-4000-8000-000000000000',
  client: '00000000-0000-4000-8000-000000000000',
  'secret-variable': 'DYNAMICS_CLIENT_SECRET',
  'not-found': 'allow',
  'multiple-matches': 'allowMostRecent',
  'on-error': 'showError',
};

/** The starter values from answers (by question key) and an enrich map. */
function starterOf(answers: ReadonlyMap<string, string>, enrich: Readonly<Record<string, string>>): StarterValues {
  return {
    url: answers.get('url'),
    tenantId: answers.get('tenant'),
    clientId: answers.get('client'),
    clientSecretVariable: answers.get('secret-variable'),
    notFound: answers.get('not-found'),
    multipleMatches: answers.get('multiple-matches'),
    onError: answers.get('on-error'),
    enrich,
  } as StarterValues;
}

/** What the schema says about one answer (the other values known-good), or undefined when it is fine. */
function answerProblem(key: string, value: string | undefined, enrich: Readonly<Record<string, string>> = DEFAULT_ENRICH): string | undefined {
  const answers = new Map(Object.entries(PLACEHOLDERS));
  if (value !== undefined) answers.set(key, value);
  try {
    parseConfig(starterConfig(starterOf(answers, enrich), ''));
    return undefined;
  } catch (error) {
    if (!(error instanceof HookError)) throw error;
    // "auth.tenantId: must be a GUID" -> "must be a GUID": the question already says what it is.
    return (error.diagnostic ?? error.message)
      .split('; ')
      .map((problem) => (key === 'enrich' ? problem : problem.replace(/^[^:]+: /, '')))
      .join('; ');
  }
}

/** Asks until the answer passes `check`, saying why each refused answer was refused. */
async function askUntilValid(io: InitIo, question: string, check: (answer: string) => string | undefined): Promise<string> {
  for (;;) {
    const answer = (await io.ask(question)).trim();
    const problem = check(answer);
    if (problem === undefined) return answer;
    console.log(`  ${problem}: please answer again.`);
  }
}

/** `init` with its prompts on `io` (a seam for tests). */
export async function initCommand(argv: string[], io: InitIo = terminalIo()): Promise<{ exitCode: number }> {
  let values: ParsedArgs<typeof ARGS>;
  try {
    values = parseCommandArgs(INIT_COMMAND, argv);
  } catch (error) {
    io.close();
    throw error;
  }
  return initWith(values, io);
}

async function initWith(values: ParsedArgs<typeof ARGS>, io: InitIo): Promise<{ exitCode: number }> {
  try {
    return await init(values, io);
  } finally {
    io.close();
  }
}

async function init(values: ParsedArgs<typeof ARGS>, io: InitIo): Promise<{ exitCode: number }> {
  const canAsk = io.interactive && !values.yes;
  const answers = new Map<string, string>();
  const missing: string[] = [];
  for (const item of QUESTIONS) {
    let value = values[item.key]?.trim();
    if (value === undefined && canAsk) {
      const fallback = 'fallback' in item ? item.fallback : undefined;
      const question = `${item.question}${fallback === undefined ? '' : ` [${fallback}]`}: `;
      const answer = await askUntilValid(io, question, (given) =>
        given === '' && fallback === undefined ? 'an answer is needed' : answerProblem(item.key, given === '' ? fallback : given),
      );
      value = answer === '' ? fallback : answer;
    }
    value ??= 'fallback' in item ? item.fallback : undefined;
    if (value === undefined || value === '') missing.push(item.flag);
    else answers.set(item.key, value);
  }
  if (missing.length > 0) {
    const why = values.yes ? 'with --yes nothing is asked' : 'input is not a terminal, so nothing can be asked';
    throw new UsageError(`init needs ${missing.join(', ')} (${why}).`);
  }
  // --enrich flags are the exact list; an answer at the prompt changes the defaults (see enrichAnswer).
  let enrich: Record<string, string> = values.enrich === undefined ? { ...DEFAULT_ENRICH } : parseEnrich(values.enrich);
  if (values.enrich === undefined && canAsk) {
    const defaults = Object.entries(DEFAULT_ENRICH)
      .map(([path, column]) => `${path}=${column}`)
      .join(', ');
    const question = `Attributes filled from Dataverse: ${defaults}. Add or change path=column pairs (commas between; path=- drops one; - for none) [keep these]: `;
    let answered: Record<string, string> | undefined;
    await askUntilValid(io, question, (answer) => {
      try {
        answered = enrichAnswer(answer);
      } catch (error) {
        if (error instanceof UsageError) return 'each pair must be <attribute path>=<column>, e.g. name.givenName=firstname';
        throw error;
      }
      return answerProblem('enrich', undefined, answered);
    });
    enrich = answered ?? enrich;
  }
  const kinds = values.kinds ?? (await askKinds(io, canAsk));
  const starter = starterOf(answers, enrich);
  const schemaPath = schemaReference(values.out);
  validate(starter, schemaPath);
  makeFolder(dirname(values.out));
  writeTextFile(values.out, renderStarterConfig(starter, schemaPath), { overwrite: values.force, forceFlag: '--force' });
  console.log(`Wrote ${values.out}. Next:`);
  console.log(`  export ${starter.clientSecretVariable}=<the client secret's Value>`);
  console.log(`  ${invocation()} doctor --config ${values.out}`);
  for (const kind of kinds) console.log(`  ${invocation()} build --config ${values.out} --hook ${kind}`);
  return { exitCode: 0 };
}

/** The registration hooks always; the gates at sign-in and social sign-up when the person says so. */
async function askKinds(io: InitIo, canAsk: boolean): Promise<HookKind[]> {
  const kinds: HookKind[] = ['pre-registration', 'post-registration'];
  if (!canAsk) return kinds;
  const yes = async (question: string) => /^y(es)?$/i.test((await io.ask(question)).trim());
  // A gate on "Before registration" alone probably lets a social sign-up through (docs/social-sign-up.md).
  if (await yes('Gate social sign-up too (pre-external-registration)? [y/N]: ')) kinds.splice(1, 0, 'pre-external-registration');
  if (await yes('Gate every sign-in with the CRM (post-identification)? [y/N]: ')) kinds.push('post-identification');
  return kinds;
}

/**
 * The prompt's enrich answer, merged over the defaults: empty keeps them, `-` alone means none,
 * `path=column` adds or changes one, `path=-` drops one. Merging, not replacing: someone who adds
 * one attribute does not mean to lose the three the prompt showed.
 */
function enrichAnswer(answer: string): Record<string, string> {
  if (answer === '-') return {};
  const merged: Record<string, string> = { ...DEFAULT_ENRICH };
  if (answer === '') return merged;
  for (const [path, column] of Object.entries(parseEnrich(answer.split(',')))) {
    if (column === '-') delete merged[path];
    else merged[path] = column;
  }
  return merged;
}

/** `name.givenName=firstname` pairs; a pair without `=` is a usage error naming it. */
function parseEnrich(pairs: readonly string[]): Record<string, string> {
  const enrich: Record<string, string> = {};
  for (const pair of pairs) {
    const [path, column, ...rest] = pair.split('=');
    if (path === undefined || column === undefined || rest.length > 0 || path.trim() === '' || column.trim() === '') {
      throw new UsageError(`--enrich '${pair}' must be <attribute path>=<column>, e.g. --enrich name.givenName=firstname.`);
    }
    enrich[path.trim()] = column.trim();
  }
  return enrich;
}

/** The schema's path relative to the config's folder: `./src/build/hook.config.schema.json` from the project root. */
export function schemaReference(out: string): string {
  const path = relative(dirname(resolve(out)), SCHEMA_FILE)
    .split(sep)
    .join('/');
  return path.startsWith('.') ? path : `./${path}`;
}

/** The hook's own schema on the values: a bad one is named by its flag, before anything is written. */
function validate(values: StarterValues, schemaPath: string): void {
  try {
    parseConfig(starterConfig(values, schemaPath));
  } catch (error) {
    if (!(error instanceof HookError)) throw error;
    const problems = (error.diagnostic ?? error.message).split('; ').map((problem) => {
      const path = /^([^:]+):/.exec(problem)?.[1] ?? '';
      const flag = FLAG_OF_PATH[path] ?? FLAG_OF_PATH[path.split('.')[0] ?? ''];
      return flag === undefined ? problem : `${flag} (${path})${problem.slice(path.length)}`;
    });
    throw new UsageError(`init cannot write a config that would not build: ${problems.join('; ')}.`);
  }
}
