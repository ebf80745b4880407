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
import type { HookKind } from '../build/artifact.js';
import { buildHook } from '../build/build-hook.js';
import { parseConfig, parseResolvedConfig, type Config, type ResolvedConfig } from '../hook/config.js';
import { discoverEnvironment } from './discovery.js';
import { maskEmail } from '../harness/mask-email.js';
import type { RecordedWrite } from '../harness/stand-in.js';
import { captureConsole, describeResult, registrationPayload, resultClassOf, runHook, type HookRun } from '../harness/run-hook.js';
import { parseOptions } from './args.js';
import { CliError } from './errors.js';
import { loadBuiltHook } from '../harness/load-hook.js';
import { createLogger } from '../hook/log.js';
import { readCredential } from '../hook/loaded-hook.js';
import { readSecret } from '../hook/secrets.js';
import { readJsonFile, UsageError } from './usage.js';
import { hookKindOf } from './commands/build.js';
import { maskForDisplay } from './try-mask.js';
import { describeSync, formatSync, type SyncReport } from './try-sync.js';
import { invocation } from './invocation.js';
import { unknownColumnWarnings } from './recorded-columns.js';

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
  const harness = options.live ? undefined : await import('../harness/stand-in.js');
  // The post-registration hook writes: its stand-in also answers PATCH and POST, and keeps a record.
  const standIn =
    harness === undefined ? undefined : hook === 'post-registration' ? harness.serveRecordedWrites(resolved) : harness.serveRecordedResponses(resolved);
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
      if (hook === 'post-registration') {
        const writes = standIn !== undefined && 'writes' in standIn ? (standIn.writes as RecordedWrite[]) : undefined;
        const sync = describeSync(resolved, options.payload, logLines, writes);
        return { ...common, decision: sync.outcome, reason: sync.reason, sync, ok: run.calls === 1 && sync.outcome !== 'failed' && sync.outcome !== 'none' };
      }
      const { decision } = describeResult(run, Object.keys(resolved.enrich));
      const decided = logLines.find(
        (line): line is { event: string; reason?: string } =>
          typeof line === 'object' && line !== null && (line as { event?: unknown }).event === 'registration.decided',
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

/** The `try` command. Exit code 0 when the hook answered once and nothing failed on the way. */
export async function tryCommand(argv: string[]): Promise<{ exitCode: number }> {
  const values = parseOptions(
    'try',
    {
      config: { type: 'string' },
      email: { type: 'string' },
      payload: { type: 'string' },
      locale: { type: 'string', default: 'en' },
      live: { type: 'boolean', default: false },
      'show-ids': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      hook: { type: 'string' },
    },
    argv,
  );
  if (values.config === undefined) throw new UsageError('try needs --config <file>.');
  if ((values.email === undefined) === (values.payload === undefined)) throw new UsageError('try needs exactly one of --email <address> or --payload <file>.');
  const payload = values.payload === undefined ? registrationPayload(values.email, [values.locale]) : readJsonFile(values.payload);
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    throw new CliError('input', `${values.payload} must hold a JSON object (a Strivacity registration); see '${invocation()} payloads'.`);
  const email = (payload as { customer?: { attributes?: { emails?: { primaryEmail?: unknown } } } }).customer?.attributes?.emails?.primaryEmail;
  const hook = hookKindOf(values.hook);
  const rawConfig = readJsonFile(values.config);
  const report = await tryRegistration({ rawConfig, payload, live: values.live, showIds: values['show-ids'], hook });
  // Offline, a mistyped column only leaves a value empty; live, the lookup would say 400.
  if (!values.live) for (const warning of unknownColumnWarnings(parseConfig(rawConfig))) console.error(warning);
  console.log(values.json ? JSON.stringify(report, null, 2) : formatTryReport(report, maskEmail(email)));
  return { exitCode: report.ok ? 0 : 1 };
}
