/**
 * `dynamics-hook doctor --config <file> [--json]`: proves, step by step against the live
 * environment, each piece the hook depends on (config, secret, token, Application User, read
 * privilege, columns, write privileges), and for a broken one names the cause and the fix.
 * `--hook <kind>` checks what that kind needs; without it, a config with `sync` is taken for the
 * post-registration hook, and otherwise what only that hook needs is a warning naming it.
 *
 * Every step reuses the hook's own code (parseConfig, readCredential, TokenSource, the Dataverse
 * client and its error classifier), so what doctor reports is what the hook would hit. Nothing it
 * prints comes from a secret, a token or a contact: the read probe asks for an address no contact
 * has.
 */
import { type ArgsDef, defineCommand, type ParsedArgs } from '../../args.js';
import { KIND_ARG, required, SHARED_ARGS } from '../../shared-args.js';
import { AUTHORITY_HOSTS, authorityOf, cloudOf, GUID, parseConfig, type Config } from '../../../hook/config.js';
import { createDataverseClient } from '../../../hook/dataverse.js';
import { checkColumns, checkPrivileges } from './checks.js';
import { diagnose, diagnoseDiscovery } from './diagnosis.js';
import { discoverEnvironment } from '../../discovery.js';
import { configError, HookError, toHookError } from '../../../hook/errors.js';
import { createLogger } from '../../../hook/log.js';
import { probeContactRead, probeTimeoutMs, whoAmI } from '../../probes.js';
import { readCredential } from '../../../hook/loaded-hook.js';
import { readSecret as defaultReadSecret, type SecretReader } from '../../../hook/secrets.js';
import { type Credential, TokenSource } from '../../../hook/token.js';
import { type DoctorReport, formatDoctorReport, type Outcome, type StepName, type StepResult, TITLES } from './report.js';
import { CliError, EXIT_CODES } from '../../errors.js';
import { invocation } from '../../invocation.js';
import type { HookKind } from '../../../build/artifact.js';
import { readJsonFile } from '../../files.js';
import { kindFacts } from '../../../build/kinds.js';

export interface DoctorOptions {
  readonly readSecret?: SecretReader;
  /** Transport for Entra and the Global Discovery Service; global `fetch` by default. */
  readonly fetch?: typeof fetch;
  /** Per-request limit for each probe, in ms (default: the larger of policy.timeoutMs and 10 s). */
  readonly probeTimeoutMs?: number;
  /** The hook kind to check for; undefined: the post-registration hook if `sync` is set, else its needs only warn. */
  readonly hook?: HookKind;
}

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
    // Any config builds a post-registration hook too, which writes (and by default creates)
    // contacts whether or not `sync` is set; but a setup that runs only the pre-registration hook
    // rightly lacks those privileges, so without --hook (and without `sync`) they only warn.
    if (options.hook !== undefined && kindFacts(options.hook).role === 'decides')
      skip('privileges', `the ${options.hook} hook writes nothing (read is checked above)`);
    else {
      const severity = options.hook !== undefined || valid.sync !== undefined ? 'fail' : 'warn';
      const createsContacts = options.hook !== 'post-account-deletion' && valid.sync?.createIfMissing !== false;
      await run('privileges', () => checkPrivileges(client, valid, userId, probe(), severity, createsContacts));
    }
    return finish(url);
  } finally {
    tokens.close();
  }
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

const ARGS = {
  config: required(SHARED_ARGS.config),
  // No default: without --hook, doctor infers the kind from the config (see checkPrivilegesFor).
  hook: { ...KIND_ARG, description: 'check what this kind needs (default: every kind, privileges only one kind needs warn)' },
  json: SHARED_ARGS.json,
} as const satisfies ArgsDef;

export const DOCTOR_COMMAND = defineCommand({
  name: 'doctor',
  summary: 'check the live connection, privileges and columns; name cause and fix',
  description: `Checks config, secret, token, Application User, read privilege, columns and the write and create
privileges of the kinds that write against the live environment; names the cause and the fix of
each failure. Without --hook, missing write or create privileges fail only when the config has
sync, else they are a warning. Honours HTTPS_PROXY and NO_PROXY.`,
  args: ARGS,
  run: doctor,
});

/** Exit code 0 only when every step that ran passed. */
async function doctor(values: ParsedArgs<typeof ARGS>): Promise<{ exitCode: number }> {
  const hook = values.hook;
  let report: DoctorReport;
  let exitCode: number;
  try {
    report = await runDoctor(readJsonFile(values.config), hook === undefined ? {} : { hook });
    exitCode = report.ok ? EXIT_CODES.ok : EXIT_CODES.failed;
  } catch (error) {
    // An unreadable or unparsable file is the config step failing: reported like any other step.
    if (!(error instanceof CliError)) throw error;
    report = { ok: false, steps: [unreadableConfigStep(error)] };
    exitCode = error.kind === 'file' ? EXIT_CODES.file : EXIT_CODES.failed;
  }
  console.log(values.json ? JSON.stringify(report, null, 2) : formatDoctorReport(report));
  return { exitCode };
}

function unreadableConfigStep(error: CliError): StepResult {
  return {
    step: 'config',
    title: TITLES.config,
    status: 'fail',
    latencyMs: 0,
    detail: error.message,
    code: 'config',
    ...diagnose(configError(error.message), undefined),
    fix: `Give the path of a config file (${invocation()} init writes one; see the README, "Configuration").`,
  };
}
