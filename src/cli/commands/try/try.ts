/**
 * `dynamics-hook try --config <file> (--email <address> | --payload <file>) [--live] [--show-ids] [--json]`:
 * builds the hook exactly as `build` does, loads the built file as Strivacity would, and runs it on
 * one registration: against the recorded Entra and Dataverse responses by default (offline, any
 * credential), or against the live environment with `--live`. Prints the decision, the object
 * passed to `callback`/`error`, the hook's log lines and the time taken.
 *
 * What is printed is the exact object with these values masked: emails (always), and in `--live`
 * mode every attribute value the CRM filled in, since those are a real person's data, and the
 * contact id and its link hash (as `record` scrubs ids), unless `--show-ids` asks for them.
 * Offline, the recorded fakes are shown as they are.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { HookKind } from '../../../build/artifact.js';
import { buildHook } from '../../../build/build-hook.js';
import { parseConfig, parseResolvedConfig, type Config, type ResolvedConfig } from '../../../hook/config.js';
import { discoverEnvironment } from '../../discovery.js';
import { maskEmail } from '../../../harness/mask-email.js';
import type { RecordedWrite } from '../../../harness/stand-in.js';
import { captureConsole, describeResult, resultClassOf, runHook, type HookRun } from '../../../harness/run-hook.js';
import { defineCommand } from '../../args.js';
import { required, SHARED_ARGS } from '../../shared-args.js';
import { kindFacts } from '../../../build/kinds.js';
import { CliError, UsageError } from '../../errors.js';
import { loadBuiltHook } from '../../../harness/load-hook.js';
import { createLogger } from '../../../hook/log.js';
import { readCredential } from '../../../hook/loaded-hook.js';
import { readSecret } from '../../../hook/secrets.js';
import { maskForDisplay } from './try-mask.js';
import { describeSync, formatSync, type SyncReport } from './try-sync.js';
import { invocation } from '../../invocation.js';
import { unknownColumnWarnings } from '../../recorded-columns.js';
import { readJsonFile } from '../../files.js';

export { maskForDisplay } from './try-mask.js';

export interface TryOptions {
  readonly rawConfig: unknown;
  readonly payload: unknown;
  readonly live: boolean;
  /** Live: print the contact id (and link hash) whole instead of masked. */
  readonly showIds?: boolean;
  /** Which hook to build and run (default pre-registration). */
  readonly hook?: HookKind;
}

export interface TryReport {
  readonly hook: HookKind;
  readonly mode: 'offline' | 'live';
  readonly dataverseUrl: string;
  /** Pre-registration: allow, showError or deny. Post-registration: the sync outcome. */
  readonly decision: string;
  /** The reason code of the hook's `registration.decided` (or `registration.synced`) log line. */
  readonly reason: string | undefined;
  /** Post-registration: what was written. */
  readonly sync?: SyncReport;
  readonly via: HookRun['via'];
  readonly calls: number;
  /** The class of the object passed to callback/error (`RegistrationData`, `ShowErrorMessage`, ...). */
  readonly resultClass: string;
  /** That object, emails (and, live, CRM-filled values) masked. */
  readonly result: unknown;
  readonly logLines: readonly unknown[];
  readonly elapsedMs: number;
  readonly loadMs: number;
  /** True when the hook answered once and not because of a failure (config, token, Dataverse). */
  readonly ok: boolean;
}

/** Builds, loads and runs the hook on one registration. Throws a HookError for a bad config or (live) a missing secret. */
export async function tryRegistration(options: TryOptions): Promise<TryReport> {
  const config = parseConfig(options.rawConfig);
  const mode = options.live ? 'live' : 'offline';
  const url = config.dataverse.url ?? (options.live ? await discoverUrl(config) : `https://${config.dataverse.organization}.crm.dynamics.com`);
  const rawWithUrl = withUrl(options.rawConfig, url);
  const resolved = parseResolvedConfig(rawWithUrl);
  const restoreEnv = options.live ? requireCredential(resolved) : provideOfflineCredential(resolved);
  const hook = options.hook ?? 'pre-registration';
  const facts = kindFacts(hook);
  const harness = options.live ? undefined : await import('../../../harness/stand-in.js');
  // A kind that writes gets a stand-in that also answers PATCH and POST, and keeps a record.
  const standIn =
    harness === undefined ? undefined : facts.role === 'writes' ? harness.serveRecordedWrites(resolved) : harness.serveRecordedResponses(resolved);
  try {
    const built = await buildHook(hook, rawWithUrl);
    const loadStarted = performance.now();
    // The hook logs at load (and starts its token pre-fetch): keep those lines off stdout.
    const { value: loaded, lines: loadLines } = await captureConsole(() => loadBuiltHook(built.code));
    const loadMs = performance.now() - loadStarted;
    try {
      // Offline, the token pre-fetch is let finish first: a run that asks nothing (an invalid email)
      // would otherwise end with the pre-fetch in flight, and its failure print after the report.
      const settled = standIn === undefined || harness === undefined ? undefined : await captureConsole(() => harness.waitForTokenPrefetch(standIn, 5000));
      const run = await runHook(loaded.hook, options.payload);
      const logLines = [...loadLines, ...(settled?.lines ?? []), ...run.logLines];
      const common = {
        hook,
        mode,
        dataverseUrl: url,
        via: run.via,
        calls: run.calls,
        resultClass: resultClassOf(run.result),
        result: maskForDisplay(run.result, options.payload, options.live, options.showIds === true),
        logLines,
        elapsedMs: run.elapsedMs,
        loadMs,
      } as const;
      if (facts.role === 'writes') {
        const writes = standIn !== undefined && 'writes' in standIn ? (standIn.writes as RecordedWrite[]) : undefined;
        const sync = describeSync(resolved, options.payload, logLines, writes, facts.logEvent);
        return { ...common, decision: sync.outcome, reason: sync.reason, sync, ok: run.calls === 1 && sync.outcome !== 'failed' && sync.outcome !== 'none' };
      }
      const { decision } = describeResult(run, Object.keys(resolved.enrich));
      const decided = logLines.find(
        (line): line is { event: string; reason?: string } =>
          typeof line === 'object' && line !== null && (line as { event?: unknown }).event === facts.logEvent,
      );
      const reason = decided?.reason;
      return { ...common, decision, reason, ok: run.calls === 1 && reason !== 'lookup_failed' && reason !== 'config_invalid' };
    } finally {
      loaded.unload();
    }
  } finally {
    standIn?.close();
    restoreEnv();
  }
}

async function discoverUrl(config: Config): Promise<string> {
  const credential = readCredential(config.auth, readSecret);
  const found = await discoverEnvironment({ config, credential, log: createLogger('error', () => undefined) });
  return found.url;
}

function withUrl(raw: unknown, url: string): unknown {
  const root = raw as { dataverse?: Record<string, unknown> };
  const dataverse: Record<string, unknown> = { ...root.dataverse, url };
  delete dataverse['organization'];
  return { ...root, dataverse };
}

/** Live: the variable must be set, as the hook would need it in Strivacity. */
function requireCredential(config: ResolvedConfig): () => void {
  readCredential(config.auth, readSecret);
  return () => undefined;
}

/**
 * Offline the stand-in accepts any credential, but the hook still reads one: an unset variable gets
 * a placeholder (a throwaway key pair for a certificate) for the duration of the run.
 */
function provideOfflineCredential(config: ResolvedConfig): () => void {
  const name = config.auth.clientSecretVariable ?? config.auth.clientCertificate?.privateKeyVariable;
  if (name === undefined || readSecret(name) !== undefined) return () => undefined;
  process.env[name] =
    config.auth.clientSecretVariable !== undefined
      ? 'offline-placeholder-secret'
      : generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  return () => {
    delete process.env[name];
  };
}

export function formatTryReport(report: TryReport, emailShown: string): string {
  const where = report.mode === 'live' ? `live: ${report.dataverseUrl}` : 'offline: recorded Entra and Dataverse responses';
  const lines = [
    `try ${report.hook} (${where})`,
    `registration  ${emailShown}`,
    ...(report.sync === undefined
      ? [
          `decision      ${report.decision}${report.reason === undefined ? '' : ` (${report.reason})`}`,
          `answered      ${report.via}(new ${report.resultClass}(...)), ${report.calls} call(s); the object:`,
          indent(JSON.stringify(report.result, null, 2)),
        ]
      : [...formatSync(report.sync), `answered      ${report.via}(${report.result === undefined ? '' : '...'}), ${report.calls} call(s)`]),
    'log',
    ...report.logLines.map((line) => indent(typeof line === 'string' ? line : JSON.stringify(line))),
    `time          ${report.elapsedMs.toFixed(1)} ms for the registration (loading the hook took ${report.loadMs.toFixed(1)} ms)`,
  ];
  return lines.join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

export const TRY_COMMAND = defineCommand({
  name: 'try',
  summary: 'run the built hook once, on recorded responses or --live',
  usage: '--config <file> (--email <address> [--locale <tag>] [--contact-id <id>] | --payload <file>) [--hook <kind>] [--live [--show-ids]] [--json]',
  description: `Builds the hook and runs it once, against recorded responses (default) or the live environment;
prints the decision (or, for a kind that writes, what was written: updated, created, unchanged or
skipped, the reason, the columns), the answer, the log line. Live, the contact id is masked unless
--show-ids, and values from the CRM are masked. Exit code 0 when the hook answered once and nothing failed.`,
  args: {
    config: required(SHARED_ARGS.config),
    email: { type: 'string', valueHint: '<address>', description: "the person's email; the arguments are the kind's sample shape" },
    payload: { type: 'string', valueHint: '<file>', description: 'the arguments as a JSON file instead (see payloads)' },
    locale: { type: 'string', valueHint: '<tag>', default: 'en', description: 'the locale of the sample arguments' },
    'contact-id': { type: 'string', valueHint: '<id>', description: "a contact id kept on the account at the config's link.attribute (sign-in gate)" },
    hook: SHARED_ARGS.hook,
    live: { type: 'boolean', default: false, description: 'run against the live Entra and Dataverse of the config' },
    'show-ids': { type: 'boolean', default: false, description: 'live: print the contact id whole' },
    json: SHARED_ARGS.json,
  },
  async run(values) {
    if ((values.email === undefined) === (values.payload === undefined))
      throw new UsageError('try needs exactly one of --email <address> or --payload <file>.');
    const facts = kindFacts(values.hook);
    const rawConfig = readJsonFile(values.config);
    const payload =
      values.payload === undefined
        ? facts.payloadFor(values.email ?? '', { locales: [values.locale], ...linkOf(values['contact-id'], rawConfig) })
        : readJsonFile(values.payload);
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
      throw new CliError('input', `${values.payload} must hold a JSON object (the hook's arguments); see '${invocation()} payloads'.`);
    const report = await tryRegistration({ rawConfig, payload, live: values.live, showIds: values['show-ids'], hook: values.hook });
    // Offline, a mistyped column only leaves a value empty; live, the lookup would say 400.
    if (!values.live) for (const warning of unknownColumnWarnings(parseConfig(rawConfig))) console.error(warning);
    console.log(values.json ? JSON.stringify(report, null, 2) : formatTryReport(report, maskEmail(values.email ?? emailOf(payload))));
    return { exitCode: report.ok ? 0 : 1 };
  },
});

/** `--contact-id` needs the attribute the config keeps the link in. */
function linkOf(contactId: string | undefined, rawConfig: unknown): { link?: { attribute: string; contactId: string } } {
  if (contactId === undefined) return {};
  const attribute = parseConfig(rawConfig).link?.attribute;
  if (attribute === undefined) throw new UsageError('--contact-id needs link.attribute in the config: the attribute the account keeps the contact id in.');
  return { link: { attribute, contactId } };
}

/** The email of a payload file, for the masked heading: where registrations and sign-ins carry it. */
function emailOf(payload: object): unknown {
  const customer = (payload as { customer?: { attributes?: { emails?: { primaryEmail?: unknown } }; info?: { userName?: unknown } } }).customer;
  return customer?.attributes?.emails?.primaryEmail ?? customer?.info?.userName;
}
