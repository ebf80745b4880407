/**
 * `dynamics-hook record --config <file> --email <address>... --out <dir> [--json]`: runs the
 * hook's own lookup (same token source, same query) for each email against the live environment,
 * with nock's recorder on, and writes what went over the wire as nock fixtures, scrubbed first
 * (see `scrub.ts`). One file per email (`lookup-<n>.json`, an array for `nock.define`, each with its
 * own token exchange) and `index.json` mapping each file to its fake email and outcome.
 *
 * Before writing, the serialised fixtures are checked for the secret, the access token, the real
 * host, tenant, client id and the emails asked for; if any survived, nothing is written.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { DynamicsWebApi } from 'dynamics-web-api';
import { parseConfig, type ResolvedConfig } from './config.js';
import { createDataverseClient, findContactsByEmail } from './dataverse.js';
import { diagnose } from './diagnosis.js';
import { discoverEnvironment } from './discovery.js';
import { maskEmail } from './drive.js';
import { HookError } from './errors.js';
import { createLogger } from './log.js';
import { readCredential } from './runtime.js';
import { readSecret as defaultReadSecret, type SecretReader } from './secrets.js';
import { PLACEHOLDER_CLIENT_ID, PLACEHOLDER_DATAVERSE_URL, PLACEHOLDER_TENANT_ID, type RecordedDefinition, Scrubber } from './scrub.js';
import { TokenSource } from './token.js';
import { readJsonFile, UsageError } from './usage.js';

export interface RecordOptions {
  readonly rawConfig: unknown;
  readonly emails: readonly string[];
  readonly readSecret?: SecretReader;
  /** Transport for the token POST (and discovery); global `fetch` by default. */
  readonly fetch?: typeof fetch;
  /** The Dataverse client; the hook's by default. A test points it at a local server. */
  readonly createClient?: (config: ResolvedConfig) => DynamicsWebApi;
}

export interface RecordedLookup {
  /** Position of the email on the command line, from 1. */
  readonly index: number;
  readonly fakeEmail: string;
  readonly outcome: { readonly matches: number } | { readonly failure: string; readonly status?: number; readonly cause: string; readonly fix: string };
  readonly definitions: RecordedDefinition[];
}

/** Records and scrubs one lookup per email. Throws a HookError for a bad config or missing secret. */
export async function recordLookups(options: RecordOptions): Promise<RecordedLookup[]> {
  const config = parseConfig(options.rawConfig);
  const secrets = options.readSecret ?? defaultReadSecret;
  const credential = readCredential(config as ResolvedConfig, secrets);
  const silent = createLogger('error', () => undefined);
  const fetchOption = options.fetch === undefined ? {} : { fetch: options.fetch };
  const url = config.dataverse.url ?? (await discoverEnvironment({ config, credential, log: silent, ...fetchOption })).url;
  const resolved = { ...config, dataverse: { ...config.dataverse, url } } as ResolvedConfig;
  const scrubber = new Scrubber({ realDataverseUrl: url, realTenantId: config.auth.tenantId, realClientId: config.auth.clientId });

  const { default: nock } = await import('nock');
  const wasActive = nock.isActive();
  nock.recorder.rec({ dont_print: true, output_objects: true, enable_reqheaders_recording: false });
  // dynamics-web-api's ESM build holds `import * as https`: without this it keeps calling the
  // function it saw at load and the recorder never sees its requests (checked on Node 20).
  syncBuiltinESMExports();
  const tokens = new TokenSource({ config: resolved, credential, log: silent, ...fetchOption });
  const client = (options.createClient ?? createDataverseClient)(resolved);
  const results: RecordedLookup[] = [];
  const placeholders = new Set([new URL(PLACEHOLDER_DATAVERSE_URL).hostname, PLACEHOLDER_TENANT_ID, PLACEHOLDER_CLIENT_ID]);
  const identifiers = [new URL(url).hostname, config.auth.tenantId, config.auth.clientId].filter((value) => !placeholders.has(value));
  const forbidden = [...Object.values(credential).flatMap((value) => (typeof value === 'string' ? [value] : [value.privateKey])), ...identifiers, ...options.emails];
  let tokenExchange: RecordedDefinition[] = [];
  try {
    for (const [position, email] of options.emails.entries()) {
      const outcome = await lookUp(tokens, client, resolved, email, forbidden);
      // The recorder writes a fetch exchange from an async listener: let it finish.
      await new Promise((resolve) => setTimeout(resolve, 20));
      const recorded = (nock.recorder.play() as unknown as RecordedDefinition[]).filter((definition) => typeof definition === 'object');
      nock.recorder.clear();
      const scrubbed = scrubber.scrub(recorded);
      const ownToken = scrubbed.filter((definition) => definition.path.includes('/oauth2/'));
      if (ownToken.length > 0) tokenExchange = ownToken;
      // MSAL caches the token: later lookups reuse the first exchange so each file stands alone.
      const definitions = ownToken.length > 0 ? scrubbed : [...tokenExchange, ...scrubbed];
      results.push({ index: position + 1, fakeEmail: scrubber.fakeEmail(email), outcome: outcome.kind === 'ok' ? { matches: outcome.matches } : outcome.failure, definitions });
    }
  } finally {
    tokens.close();
    nock.restore();
    if (wasActive) nock.activate();
    syncBuiltinESMExports();
  }
  assertScrubbed(JSON.stringify(results), forbidden);
  return results;
}

type LookupResult = { kind: 'ok'; matches: number } | { kind: 'failed'; failure: { failure: string; status?: number; cause: string; fix: string } };

async function lookUp(tokens: TokenSource, client: DynamicsWebApi, config: ResolvedConfig, email: string, forbidden: string[]): Promise<LookupResult> {
  const signal = AbortSignal.timeout(Math.max(config.policy.timeoutMs, 10_000));
  try {
    const token = await tokens.getToken(signal);
    forbidden.push(token);
    const contacts = await findContactsByEmail(client, config, { email, token, signal });
    return { kind: 'ok', matches: contacts.length };
  } catch (error) {
    const failure = error instanceof HookError ? error : new HookError('bad_response', 'The lookup failed unexpectedly.', { stage: 'dataverse', cause: error });
    return { kind: 'failed', failure: { failure: failure.code, ...(failure.status === undefined ? {} : { status: failure.status }), ...diagnose(failure, config) } };
  }
}

/** The last line of defence: a value that must never reach a fixture is looked for verbatim. */
function assertScrubbed(text: string, forbidden: readonly string[]): void {
  const lower = text.toLowerCase();
  for (const value of forbidden) {
    if (value.length >= 4 && lower.includes(value.toLowerCase())) {
      throw new HookError('bad_response', 'A recorded value survived scrubbing; nothing was written.', { stage: 'dataverse' });
    }
  }
}

/** Writes one `lookup-<n>.json` per email and an `index.json`; returns the paths. */
export function writeRecordings(dir: string, lookups: readonly RecordedLookup[]): string[] {
  mkdirSync(dir, { recursive: true });
  const files = lookups.map((lookup) => {
    const file = join(dir, `lookup-${lookup.index}.json`);
    writeFileSync(file, `${JSON.stringify(lookup.definitions, null, 2)}\n`);
    return file;
  });
  const index = lookups.map((lookup) => ({ file: `lookup-${lookup.index}.json`, email: lookup.fakeEmail, outcome: lookup.outcome }));
  writeFileSync(join(dir, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
  return [...files, join(dir, 'index.json')];
}

/** The `record` command. Exit code 0 when every lookup succeeded (a failed one is still recorded). */
export async function recordCommand(argv: string[]): Promise<{ exitCode: number }> {
  const { values } = parseArgs({
    args: argv,
    options: { config: { type: 'string' }, email: { type: 'string', multiple: true }, out: { type: 'string' }, json: { type: 'boolean', default: false } },
    strict: true,
  });
  if (values.config === undefined || values.out === undefined || values.email === undefined || values.email.length === 0) {
    throw new UsageError('record needs --config <file>, --out <dir> and at least one --email <address>.');
  }
  const lookups = await recordLookups({ rawConfig: readJsonFile(values.config), emails: values.email });
  const files = writeRecordings(values.out, lookups);
  const ok = lookups.every((lookup) => 'matches' in lookup.outcome);
  if (values.json) {
    console.log(JSON.stringify({ ok, files, lookups: lookups.map(({ index, fakeEmail, outcome }) => ({ index, fakeEmail, outcome })) }, null, 2));
  } else {
    for (const [position, lookup] of lookups.entries()) {
      const asked = maskEmail(values.email[position]);
      const result = 'matches' in lookup.outcome ? `${lookup.outcome.matches} contact(s)` : `FAILED ${lookup.outcome.failure}\n    cause: ${lookup.outcome.cause}\n    fix:   ${lookup.outcome.fix}`;
      console.log(`${asked} -> ${lookup.fakeEmail}  lookup-${lookup.index}.json  ${result}`);
    }
    console.log(`Wrote ${files.length} files to ${values.out} (scrubbed: placeholder org, fake ids and personal data).`);
  }
  return { exitCode: ok ? 0 : 1 };
}
