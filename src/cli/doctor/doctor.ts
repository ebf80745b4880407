/**
 * `dynamics-hook doctor --config <file> [--json]`: proves, step by step against the live
 * environment, each piece the hook depends on (config, secret, token, Application User, read
 * privilege, columns, write privileges), and for a broken one names the cause and the fix.
 *
 * Every step reuses the hook's own code (parseConfig, readCredential, TokenSource, the Dataverse
 * client and its error classifier), so what doctor reports is what the hook would hit. Nothing it
 * prints comes from a secret, a token or a contact: the read probe asks for an address no contact
 * has.
 */
import { parseArgs } from 'node:util';
import type { DynamicsWebApi } from 'dynamics-web-api';
import { AUTHORITY_HOSTS, authorityOf, cloudOf, GUID, parseConfig, syncColumnsOf, type Config } from '../../hook/config.js';
import { createDataverseClient } from '../../hook/dataverse.js';
import { diagnose, diagnoseDiscovery, privilegeSetting } from './diagnosis.js';
import { discoverEnvironment } from '../discovery.js';
import { configError, HookError, toHookError } from '../../hook/errors.js';
import { createLogger } from '../../hook/log.js';
import { contactColumns, type PrivilegeDepth, probeContactRead, probeTimeoutMs, userPrivileges, whoAmI } from '../probes.js';
import { readCredential } from '../../hook/loaded-hook.js';
import { readSecret as defaultReadSecret, type SecretReader } from '../../hook/secrets.js';
import { type Credential, TokenSource } from '../../hook/token.js';
import { readJsonFile, UsageError } from '../usage.js';

export type StepName = 'config' | 'secret' | 'discovery' | 'token' | 'whoami' | 'read' | 'columns' | 'privileges';
export type StepStatus = 'ok' | 'fail' | 'skip';

export interface StepResult {
  readonly step: StepName;
  readonly title: string;
  readonly status: StepStatus;
  readonly latencyMs: number;
  /** What was found (ok), what went wrong (fail) or why the step did not run (skip). */
  readonly detail: string;
  /** The error code a search engine knows: `AADSTS7000215`, `0x80072560`, `HTTP 401`, ... */
  readonly code?: string;
  readonly cause?: string;
  readonly fix?: string;
}

export interface DoctorReport {
  /** True only when no step failed. */
  readonly ok: boolean;
  readonly steps: readonly StepResult[];
  /** The Dataverse URL checked (from the config, or resolved through discovery). */
  readonly dataverseUrl?: string;
}

export interface DoctorOptions {
  readonly readSecret?: SecretReader;
  /** Transport for Entra and the Global Discovery Service; global `fetch` by default. */
  readonly fetch?: typeof fetch;
  /** Per-request limit for each probe, in ms (default: the larger of policy.timeoutMs and 10 s). */
  readonly probeTimeoutMs?: number;
}

const TITLES: Record<StepName, string> = {
  config: 'config is valid',
  secret: 'secret variable is present',
  discovery: 'organisation resolved by the Global Discovery Service',
  token: 'token from Entra ID',
  whoami: 'Dataverse reachable, app known (WhoAmI)',
  read: 'read privilege on contacts',
  columns: 'configured columns exist on contact',
  privileges: 'write privileges for sync',
};

/** A step's outcome before timing is added. */
type Outcome =
  | { readonly status: 'ok'; readonly detail: string }
  | { readonly status: 'fail'; readonly detail: string; readonly cause: string; readonly fix: string; readonly code?: string };

/** Runs every check it can; a failed step skips the steps that depend on it. Never throws. */
export async function runDoctor(rawConfig: unknown, options: DoctorOptions = {}): Promise<DoctorReport> {
  const steps: StepResult[] = [];
  const secrets = options.readSecret ?? defaultReadSecret;
  const silent = createLogger('error', () => undefined);
  let config: Config | undefined;
  let credential: Credential | undefined;

  const run = async (step: StepName, check: () => Promise<Outcome>): Promise<boolean> => {
    const started = performance.now();
    let outcome: Outcome;
    try {
      outcome = await check();
    } catch (error) {
      const failure = toHookError(error, 'dataverse');
      outcome = { status: 'fail', detail: failure.message, code: codeOf(failure), ...diagnose(failure, config) };
    }
    steps.push({ step, title: TITLES[step], latencyMs: Math.round(performance.now() - started), ...outcome });
    return outcome.status === 'ok';
  };
  const skip = (step: StepName, reason: string) => steps.push({ step, title: TITLES[step], status: 'skip', latencyMs: 0, detail: reason });
  const skipRest = (from: StepName, reason: string) => {
    const order = Object.keys(TITLES) as StepName[];
    for (const step of order.slice(order.indexOf(from))) skip(step, reason);
  };
  const finish = (dataverseUrl?: string): DoctorReport => ({
    ok: steps.every((s) => s.status !== 'fail'),
    steps,
    ...(dataverseUrl === undefined ? {} : { dataverseUrl }),
  });

  const configOk = await run('config', async () => {
    config = parseConfig(rawConfig);
    return {
      status: 'ok',
      detail: `tenant ${config.auth.tenantId}, client ${config.auth.clientId}, ${config.dataverse.url ?? `organization "${config.dataverse.organization}"`}`,
    };
  });
  if (!configOk || config === undefined) {
    skipRest('secret', 'needs a valid config');
    return finish();
  }
  const valid = config;

  const secretOk = await run('secret', async () => {
    credential = readCredential(valid.auth, secrets);
    return { status: 'ok', detail: describeCredential(valid, credential) };
  });
  if (!secretOk || credential === undefined) {
    skipRest('discovery', 'needs the credential');
    return finish();
  }
  const cred = credential;

  let url = valid.dataverse.url;
  if (url === undefined) {
    const discovered = await run('discovery', async () => {
      let found;
      try {
        found = await discoverEnvironment({ config: valid, credential: cred, log: silent, ...fetchOption(options) });
      } catch (error) {
        if (!(error instanceof HookError)) throw error;
        return { status: 'fail', detail: error.message, code: codeOf(error), ...diagnoseDiscovery(error, valid) };
      }
      url = found.url;
      const name = found.instance.FriendlyName === undefined ? found.instance.UniqueName : `"${found.instance.FriendlyName}" (${found.instance.UniqueName})`;
      return { status: 'ok', detail: `${name} is ${found.url}, found through ${found.discoveryUrl}; put it in dataverse.url for the built hook` };
    });
    if (!discovered || url === undefined) {
      skipRest('token', 'needs the Dataverse URL');
      return finish();
    }
  } else {
    skip('discovery', 'dataverse.url is set');
  }

  const timeoutMs = options.probeTimeoutMs ?? probeTimeoutMs(valid);
  const tokens = new TokenSource({
    clientId: valid.auth.clientId,
    authority: authorityOf(valid),
    resource: url,
    credential: cred,
    requestTimeoutMs: timeoutMs,
    log: silent,
    ...fetchOption(options),
  });
  try {
    let token = '';
    const tokenOk = await run('token', async () => {
      token = await tokens.getToken(AbortSignal.timeout(timeoutMs));
      return { status: 'ok', detail: `acquired from ${AUTHORITY_HOSTS[cloudOf(valid)]} for ${url}/.default` };
    });
    if (!tokenOk) {
      skipRest('whoami', 'needs a token');
      return finish(url);
    }
    const client = createDataverseClient({ url, apiVersion: valid.dataverse.apiVersion });
    const probe = () => ({ token, signal: AbortSignal.timeout(timeoutMs) });
    let userId = '';
    const whoAmIOk = await run('whoami', async () => {
      const me = await whoAmI(client, probe());
      userId = me.UserId;
      return { status: 'ok', detail: `Application User ${me.UserId} in organisation ${me.OrganizationId}` };
    });
    if (!whoAmIOk) {
      skipRest('read', 'needs an Application User');
      return finish(url);
    }
    await run('read', async () => {
      await probeContactRead(client, valid, probe());
      const fields = valid.lookup.emailFields.join(', ');
      return { status: 'ok', detail: `contacts readable; the lookup query on ${fields}${valid.lookup.activeOnly ? ' (active only)' : ''} is accepted` };
    });
    await run('columns', () => checkColumns(client, valid, probe()));
    if (valid.sync === undefined) skip('privileges', 'sync is not configured');
    else await run('privileges', () => checkPrivileges(client, valid, userId, probe()));
    return finish(url);
  } finally {
    tokens.close();
  }
}

async function checkColumns(client: DynamicsWebApi, config: Config, request: { token: string; signal: AbortSignal }): Promise<Outcome> {
  const wanted = new Map<string, string>();
  for (const [path, column] of Object.entries(config.enrich)) wanted.set(column, `enrich ${path}`);
  if (config.sync !== undefined)
    for (const [column, path] of Object.entries(syncColumnsOf(config))) if (!wanted.has(column)) wanted.set(column, `sync ${path}`);
  if (wanted.size === 0) return { status: 'ok', detail: 'no enrich or sync columns configured' };
  const existing = await contactColumns(client, request);
  const missing = [...wanted.keys()].filter((column) => !existing.has(column));
  if (missing.length === 0) return { status: 'ok', detail: `${[...wanted.keys()].join(', ')} exist on contact` };
  const described = missing.map((column) => {
    const suggestion = closest(column, existing);
    return `${column} (${wanted.get(column)})${suggestion === undefined ? '' : `, did you mean ${suggestion}?`}`;
  });
  return {
    status: 'fail',
    detail: `${missing.length} configured column(s) not found on contact`,
    code: 'unknown column',
    cause: `contact has no column ${described.join('; ')}`,
    fix: "Use the column's logical name (lower case), as shown in Power Apps > Tables > Contact > Columns > (column) > Advanced options > Logical name.",
  };
}

/** What sync needs: write (and create, with createIfMissing), and read/write beyond the app's own records. */
async function checkPrivileges(client: DynamicsWebApi, config: Config, userId: string, request: { token: string; signal: AbortSignal }): Promise<Outcome> {
  const held = await userPrivileges(client, userId, request);
  const required = ['prvReadContact', 'prvWriteContact', ...(config.sync?.createIfMissing === false ? [] : ['prvCreateContact'])];
  const problems: string[] = [];
  for (const privilege of required) {
    const depth = held.get(privilege);
    if (depth === undefined) problems.push(`lacks ${privilege} ("${privilegeSetting(privilege)}")`);
    // User-level read/write reaches only contacts the Application User owns: not the customers.
    else if (depth === 'Basic' && privilege !== 'prvCreateContact') problems.push(`has ${privilege} only at User level ("${privilegeSetting(privilege)}")`);
  }
  const summary = required.map((privilege) => `${privilege} ${depthLabel(held.get(privilege))}`).join(', ');
  if (problems.length === 0) return { status: 'ok', detail: summary };
  return {
    status: 'fail',
    detail: summary,
    code: 'missing privilege',
    cause: `The Application User's security role ${problems.join('; ')}.`,
    fix: 'Power Platform admin center > Environments > (your environment) > Settings > Users + permissions > Security roles > (the role of the app user): set the Contact row to Organization (or Business Unit) for each privilege named, save, and wait a minute.',
  };
}

function depthLabel(depth: PrivilegeDepth | undefined): string {
  if (depth === undefined) return 'missing';
  return { Basic: 'User', Local: 'Business Unit', Deep: 'Parent: Child Business Units', Global: 'Organization', unknown: 'granted' }[depth];
}

/** The nearest name within two edits, for a "did you mean". */
function closest(name: string, candidates: ReadonlySet<string>): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of candidates) {
    if (Math.abs(candidate.length - name.length) > 2) continue;
    const distance = editDistance(name, candidate);
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function describeCredential(config: Config, credential: Credential): string {
  if ('clientCertificate' in credential) return `${config.auth.clientCertificate?.privateKeyVariable} holds a PEM private key (not shown)`;
  const variable = config.auth.clientSecretVariable ?? '';
  // Entra secret values are never GUIDs; secret IDs always are. The token step confirms.
  const looksLikeId = GUID.test(credential.clientSecret.trim());
  return `${variable} is set (value not shown)${looksLikeId ? '; it looks like a GUID, which is what a "Secret ID" looks like: the secret\'s Value is needed' : ''}`;
}

function codeOf(error: HookError): string {
  if (error.aadsts !== undefined) return `AADSTS${error.aadsts}`;
  if (error.dataverseCode !== undefined) return error.dataverseCode;
  if (error.status !== undefined) return `HTTP ${error.status}`;
  return error.code;
}

function fetchOption(options: DoctorOptions): { fetch?: typeof fetch } {
  return options.fetch === undefined ? {} : { fetch: options.fetch };
}

/** The report as plain text: one line per step, then cause and fix under a failed one. */
export function formatDoctorReport(report: DoctorReport): string {
  const labels: Record<StepStatus, string> = { ok: 'ok  ', fail: 'FAIL', skip: 'skip' };
  const nameWidth = Math.max(...report.steps.map((s) => s.step.length));
  const lines = report.steps.map((s) => {
    const head = `${labels[s.status]}  ${s.step.padEnd(nameWidth)}  ${s.title}`;
    const timing = s.status === 'skip' ? '' : ` (${s.latencyMs} ms)`;
    const body = [`${head}${timing}`, `${' '.repeat(nameWidth + 8)}${s.code === undefined ? '' : `[${s.code}] `}${s.detail}`];
    if (s.cause !== undefined) body.push(`${' '.repeat(nameWidth + 8)}cause: ${s.cause}`);
    if (s.fix !== undefined) body.push(`${' '.repeat(nameWidth + 8)}fix:   ${s.fix}`);
    return body.join('\n');
  });
  const failed = report.steps.filter((s) => s.status === 'fail').length;
  const checked = report.steps.filter((s) => s.status !== 'skip').length;
  lines.push(failed === 0 ? `\nAll ${checked} checks passed.` : `\n${failed} of ${checked} checks failed; the hook would not work with this setup.`);
  return lines.join('\n');
}

/** The `doctor` command. Exit code 0 only when every step that ran passed. */
export async function doctorCommand(argv: string[]): Promise<{ exitCode: number }> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' }, json: { type: 'boolean', default: false } }, strict: true });
  if (values.config === undefined) throw new UsageError('doctor needs --config <file>.');
  let raw: unknown;
  let report: DoctorReport;
  try {
    raw = readJsonFile(values.config);
    report = await runDoctor(raw);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const failure = configError(error.message);
    report = {
      ok: false,
      steps: [
        {
          step: 'config',
          title: TITLES.config,
          status: 'fail',
          latencyMs: 0,
          detail: error.message,
          code: 'config',
          ...diagnose(failure, undefined),
          fix: 'Give the path of a JSON config file (see the README, "Write the config").',
        },
      ],
    };
  }
  console.log(values.json ? JSON.stringify(report, null, 2) : formatDoctorReport(report));
  return { exitCode: report.ok ? 0 : 1 };
}
