/**
 * `dynamics-hook record --config <file> --email <address>... --out <dir> [--json]`: runs the
 * hook's own lookup (same token source, same query) for each email against the live environment,
 * with nock's recorder on, and writes what went over the wire as nock fixtures, scrubbed first
 * (see `scrub.ts`). One file per email (`lookup-<n>.json`, an array for `nock.define`, each with its
 * own token exchange) and `index.json` mapping each file to its fake email and outcome.
 *
 * Before writing, the serialised fixtures are checked for the secret, the access token, the real
 * host, tenant, client id and the emails asked for; if any survived, nothing is written. A failed
 * lookup is recorded too: its file holds the exchange, its outcome only the failure's codes; the
 * cause and fix go to the console, since they name the real client id, tenant or URL.
 */
import { syncBuiltinESMExports } from 'node:module';
import { setTimeout } from 'node:timers/promises';
import type { DynamicsWebApi } from 'dynamics-web-api';
import { authorityOf, type Config, parseConfig } from '../../../hook/config.js';
import { createDataverseClient, type DataverseEnvironment, findContactsByEmail } from '../../../hook/dataverse.js';
import { diagnose, type Diagnosis } from '../doctor/diagnosis.js';
import { discoverEnvironment } from '../../discovery.js';
import { maskEmail } from '../../../harness/mask-email.js';
import { type FailureCode, HookError, toHookError } from '../../../hook/errors.js';
import { emailSchema } from '../../../hook/input.js';
import { createLogger } from '../../../hook/log.js';
import { probeTimeoutMs } from '../../probes.js';
import { readCredential } from '../../../hook/loaded-hook.js';
import { readSecret as defaultReadSecret, type SecretReader } from '../../../hook/secrets.js';
import { PLACEHOLDER_CLIENT_ID, PLACEHOLDER_DATAVERSE_URL, PLACEHOLDER_TENANT_ID, type RecordedDefinition, Scrubber } from './scrub.js';
import { TokenSource } from '../../../hook/token.js';
import { UsageError } from '../../errors.js';

export interface RecordOptions {
  readonly rawConfig: unknown;
  readonly emails: readonly string[];
  readonly readSecret?: SecretReader;
  /** Transport for the token POST (and discovery); global `fetch` by default. */
  readonly fetch?: typeof fetch;
  /** The Dataverse client; the hook's by default. A test points it at a local server. */
  readonly createClient?: (environment: DataverseEnvironment) => DynamicsWebApi;
}

/** What `index.json` says of a lookup: codes only, nothing that names the environment. */
export type RecordedOutcome =
  { readonly matches: number } | { readonly failure: FailureCode; readonly status?: number; readonly dataverseCode?: string; readonly aadsts?: number };

export interface RecordedLookup {
  /** Position of the email on the command line, from 1. */
  readonly index: number;
  readonly fakeEmail: string;
  readonly outcome: RecordedOutcome;
  /** A failed lookup's cause and fix, for the console only: never written (they name real ids). */
  readonly diagnosis?: Diagnosis;
  readonly definitions: RecordedDefinition[];
}

/** How long nock's recorder may take to hand over an exchange that was answered, in ms. */
const RECORDER_WAIT_MS = 2_000;

/**
 * Records and scrubs one lookup per email. Throws a UsageError for an invalid email (before any
 * request), a HookError for a bad config or missing secret.
 */
export async function recordLookups(options: RecordOptions): Promise<RecordedLookup[]> {
  const emails = options.emails.map(parseEmailArgument);
  const config = parseConfig(options.rawConfig);
  const secrets = options.readSecret ?? defaultReadSecret;
  const credential = readCredential(config.auth, secrets);
  const silent = createLogger('error', () => undefined);
  const fetchOption = options.fetch === undefined ? {} : { fetch: options.fetch };
  const url = config.dataverse.url ?? (await discoverEnvironment({ config, credential, log: silent, ...fetchOption })).url;
  // Doctor's limit, for the token request and the lookup alike.
  const timeoutMs = probeTimeoutMs(config);
  const scrubber = new Scrubber({ realDataverseUrl: url, realTenantId: config.auth.tenantId, realClientId: config.auth.clientId });

  const { default: nock } = await import('nock');
  const wasActive = nock.isActive();
  nock.recorder.rec({ dont_print: true, output_objects: true, enable_reqheaders_recording: false });
  // dynamics-web-api's ESM build holds `import * as https`: without this it keeps calling the
  // function it saw at load and the recorder never sees its requests (checked on Node 20).
  syncBuiltinESMExports();
  // Counts the token exchanges that got an answer: each one is an entry the recorder owes us.
  let tokenAnswers = 0;
  const countingFetch: typeof fetch = async (input, init) => {
    // `globalThis.fetch` is read at each call: nock's recorder swaps it while it records.
    const response = await (options.fetch ?? globalThis.fetch)(input, init);
    tokenAnswers += 1;
    return response;
  };
  const tokens = new TokenSource({
    clientId: config.auth.clientId,
    authority: authorityOf(config),
    resource: url,
    credential,
    requestTimeoutMs: timeoutMs,
    log: silent,
    fetch: countingFetch,
  });
  const client = (options.createClient ?? createDataverseClient)({ url, apiVersion: config.dataverse.apiVersion });
  const results: RecordedLookup[] = [];
  const placeholders = new Set([new URL(PLACEHOLDER_DATAVERSE_URL).hostname, PLACEHOLDER_TENANT_ID, PLACEHOLDER_CLIENT_ID]);
  const identifiers = [new URL(url).hostname, config.auth.tenantId, config.auth.clientId].filter((value) => !placeholders.has(value));
  // Emails also in their URL-encoded form: that is how they appear in a recorded request path.
  const forbidden = [
    ...Object.values(credential).flatMap((value) => (typeof value === 'string' ? [value] : [value.privateKey])),
    ...identifiers,
    ...emails.flatMap((email) => [email, encodeURIComponent(email)]),
  ];
  let tokenExchange: RecordedDefinition[] = [];
  try {
    for (const [position, email] of emails.entries()) {
      const tokenAnswersBefore = tokenAnswers;
      const result = await lookUp(tokens, client, config, email, timeoutMs, forbidden);
      const expected = tokenAnswers - tokenAnswersBefore + (result.dataverseAnswered ? 1 : 0);
      const recorded = await recordedExchanges(() => nock.recorder.play(), expected);
      nock.recorder.clear();
      const scrubbed = scrubber.scrub(recorded);
      const ownToken = scrubbed.filter((definition) => definition.path.includes('/oauth2/'));
      if (ownToken.length > 0) tokenExchange = ownToken;
      // MSAL caches the token: later lookups reuse the first exchange so each file stands alone.
      const definitions = ownToken.length > 0 ? scrubbed : [...tokenExchange, ...scrubbed];
      const diagnosis = result.diagnosis === undefined ? {} : { diagnosis: result.diagnosis };
      results.push({ index: position + 1, fakeEmail: scrubber.fakeEmail(email), outcome: result.outcome, ...diagnosis, definitions });
    }
  } finally {
    tokens.close();
    // A failed recording must not leave its entries to the next one.
    nock.recorder.clear();
    nock.restore();
    if (wasActive) nock.activate();
    syncBuiltinESMExports();
  }
  // What is written: the diagnosis stays out (it names the real client id, tenant or URL).
  assertScrubbed(JSON.stringify(results.map(({ index, fakeEmail, outcome, definitions }) => ({ index, fakeEmail, outcome, definitions }))), forbidden);
  return results;
}

/** The hook's own email rule, at the edge: nothing unparsed reaches the OData filter. */
function parseEmailArgument(email: string, position: number): string {
  const parsed = emailSchema.safeParse(email);
  if (!parsed.success) throw new UsageError(`--email #${position + 1} (${maskEmail(email)}) is not a valid email address.`);
  return parsed.data;
}

interface LookupResult {
  readonly outcome: RecordedOutcome;
  readonly diagnosis?: Diagnosis;
  /** True when Dataverse answered (the recorder then owes one exchange for it). */
  readonly dataverseAnswered: boolean;
}

async function lookUp(
  tokens: TokenSource,
  client: DynamicsWebApi,
  config: Config,
  email: string,
  timeoutMs: number,
  forbidden: string[],
): Promise<LookupResult> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const token = await tokens.getToken(signal);
    forbidden.push(token);
    const contacts = await findContactsByEmail(client, config, { email, token, signal });
    return { outcome: { matches: contacts.length }, dataverseAnswered: true };
  } catch (error) {
    const failure = toHookError(error, 'dataverse');
    const outcome = {
      failure: failure.code,
      ...(failure.status === undefined ? {} : { status: failure.status }),
      ...(failure.dataverseCode === undefined ? {} : { dataverseCode: failure.dataverseCode }),
      ...(failure.aadsts === undefined ? {} : { aadsts: failure.aadsts }),
    };
    return { outcome, diagnosis: diagnose(failure, config), dataverseAnswered: failure.stage === 'dataverse' && failure.status !== undefined };
  }
}

/**
 * The recorder's entries once it holds `expected` of them. It hands over a fetch exchange (the
 * token request) from an async listener, after the caller already has the response, so this polls
 * (bounded) rather than guess a delay; entries that never arrive fail the recording loudly.
 */
async function recordedExchanges(play: () => unknown[], expected: number): Promise<RecordedDefinition[]> {
  const deadline = performance.now() + RECORDER_WAIT_MS;
  for (;;) {
    const recorded = play().filter((definition): definition is RecordedDefinition => typeof definition === 'object' && definition !== null);
    if (recorded.length >= expected) return recorded;
    if (performance.now() >= deadline) {
      throw new HookError('bad_response', `nock's recorder handed over ${recorded.length} of the ${expected} exchanges answered; nothing was written.`, {
        stage: 'dataverse',
      });
    }
    await setTimeout(5);
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
