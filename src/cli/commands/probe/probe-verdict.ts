/**
 * The probe's verdict: each runtime fact the probe reported, judged against what the built hook
 * needs (Node and package engines, a result class to answer with, the secret, fetch for msal-node,
 * AsyncLocalStorage and the capture callback for the crash guard, reachability within the hook's
 * deadline), with what to change where a fact does not fit. A pure function of the report.
 */
import type { ProbeReport } from './probe-hook.js';

export type FindingLevel = 'ok' | 'warn' | 'fail';

export interface Finding {
  readonly check: string;
  readonly level: FindingLevel;
  readonly detail: string;
  /** What to change, when the level is not ok. */
  readonly fix?: string;
}

export interface Verdict {
  /** True when nothing failed: the hook will run (warnings are worth reading). */
  readonly works: boolean;
  readonly findings: readonly Finding[];
}

export interface VerdictContext {
  /** `engines.node` of each package the hook requires, at the pinned version. */
  readonly engines: Readonly<Record<string, { version: string; node: string | undefined }>>;
  /** The hook's whole deadline (`policy.timeoutMs`). */
  readonly timeoutMs: number;
}

/** Does Node `version` (v20.11.1) satisfy `range`? Understands `>=`, `^`, `x`, and `||`; undefined when unsure. */
export function nodeSatisfies(version: string, range: string): boolean | undefined {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  const results = range.split('||').map((alternative) => {
    const match = /^\s*(>=|\^)?\s*v?(\d+)(?:\.(\d+|x))?(?:\.(\d+|x))?\s*$/.exec(alternative);
    if (match === null) return undefined;
    const wantMajor = Number(match[2]);
    const wantMinor = match[3] === undefined || match[3] === 'x' ? 0 : Number(match[3]);
    if (match[1] === '>=') return major > wantMajor || (major === wantMajor && minor >= wantMinor);
    return major === wantMajor && minor >= wantMinor;
  });
  if (results.some((result) => result === true)) return true;
  return results.every((result) => result === false) ? false : undefined;
}

export function judgeProbe(report: ProbeReport, context: VerdictContext): Verdict {
  const findings: Finding[] = [
    ...judgeNode(report, context),
    ...judgeClasses(report),
    judgeSecret(report),
    ...judgeCrashGuard(report),
    ...judgeNetwork(report, context),
  ];
  return { works: findings.every((finding) => finding.level !== 'fail'), findings };
}

function judgeNode(report: ProbeReport, context: VerdictContext): Finding[] {
  const findings: Finding[] = [{ check: 'node', level: 'ok', detail: `Node ${report.nodeVersion}` }];
  for (const item of report.packages) {
    const pinned = context.engines[item.name];
    if (!item.loaded) {
      findings.push({
        check: `package ${item.name}`,
        level: 'fail',
        detail: 'cannot be required',
        fix: `Add ${item.name}${pinned === undefined ? '' : `@${pinned.version}`} to the hook's dependencies (deploy does this).`,
      });
      continue;
    }
    const needs = pinned?.node;
    const fits = needs === undefined ? true : nodeSatisfies(report.nodeVersion, needs);
    // A warning, not a failure: msal-node 7 declares Node >= 20 yet passes the built-file suites on
    // Node 18.20.8 (`npm run test:node18`); running outside a package's declared support is a risk
    // to know about, not a proven break.
    if (fits === false)
      findings.push({
        check: `package ${item.name}`,
        level: 'warn',
        detail: `${item.name}@${pinned?.version ?? item.version ?? '?'} declares Node ${needs}; the runtime has ${report.nodeVersion} (outside its declared support)`,
        fix: `Pin an ${item.name} release whose engines include ${report.nodeVersion} (npm view ${item.name}@<version> engines), or ask Strivacity for a newer Node runtime.`,
      });
    else {
      // A package whose exports hide package.json reports no version: the pinned one is what was sent.
      const version = item.version ?? (pinned === undefined ? undefined : `${pinned.version} pinned`);
      const note = fits === undefined ? `; engines "${needs}" not understood` : '';
      findings.push({
        check: `package ${item.name}`,
        level: fits === undefined ? 'warn' : 'ok',
        detail: `loads${version === undefined ? '' : ` (${version})`}${note}`,
      });
    }
    if (item.sameRealm === false)
      findings.push({
        check: `realm ${item.name}`,
        level: 'warn',
        detail: 'the code runs in another realm than the package: instanceof Array/Object checks across them fail',
        fix: 'Report it: the hook passes plain arrays and objects to the package.',
      });
  }
  if (!report.fetch)
    findings.push({
      check: 'fetch',
      level: 'fail',
      detail: 'no global fetch',
      fix: 'msal-node needs global fetch (Node 18+): ask Strivacity for Node 18 or later.',
    });
  if (!report.abortSignalTimeout)
    findings.push({ check: 'AbortSignal.timeout', level: 'warn', detail: 'missing', fix: 'Node 17.3+ has it; ask Strivacity for a newer Node runtime.' });
  return findings;
}

function judgeClasses(report: ProbeReport): Finding[] {
  const classes = report.resultClasses;
  const list = Object.entries(classes).map(([name, info]) => (info.present ? `${name}/${info.arity ?? '?'}` : `no ${name}`));
  const deny = classes['ErrorDenyRequest']?.present === true ? 'ErrorDenyRequest' : classes['DenyRequest']?.present === true ? 'DenyRequest' : undefined;
  const findings: Finding[] = [{ check: 'result classes', level: 'ok', detail: list.join(', ') }];
  if (report.kind === 'pre-registration') {
    if (classes['ShowErrorMessage']?.present !== true)
      findings.push({
        check: 'ShowErrorMessage',
        level: 'warn',
        detail: 'not a global: the hook answers with its local class of the same shape',
        fix: 'Try Out a showError case in the console and check the message shows.',
      });
    if (deny === undefined)
      findings.push({
        check: 'deny class',
        level: 'warn',
        detail: "neither ErrorDenyRequest nor DenyRequest is a global: a deny uses the hook's local class",
        fix: "Prefer policy showError over deny until the console's default code names the deny class.",
      });
    else findings.push({ check: 'deny class', level: 'ok', detail: `${deny} (the hook picks it up)` });
  }
  if (report.arguments.callback !== 'function')
    findings.push({
      check: 'callback',
      level: report.kind === 'post-registration' ? 'warn' : 'fail',
      detail: `the hook got no callback (${report.arguments.count} arguments)`,
      fix: 'Report it: the hook answers through callback.',
    });
  return findings;
}

function judgeSecret(report: ProbeReport): Finding {
  const { name, inEnv, asGlobal } = report.secret;
  if (inEnv || asGlobal) return { check: 'secret', level: 'ok', detail: `${name} is visible ${inEnv ? 'in process.env' : 'as a global'} (presence only)` };
  return {
    check: 'secret',
    level: 'fail',
    detail: `${name} is visible neither in process.env nor as a global`,
    fix: `Declare ${name} on the hook as a secret and set its value (deploy --secret-from-env, or the console), then probe again.`,
  };
}

function judgeCrashGuard(report: ProbeReport): Finding[] {
  const findings: Finding[] = [];
  if (!report.asyncLocalStorage)
    findings.push({
      check: 'AsyncLocalStorage',
      level: 'fail',
      detail: 'missing',
      fix: 'The crash guard needs node:async_hooks: ask Strivacity for Node 16+.',
    });
  if (report.domainLoaded || report.captureCallback !== 'takeable')
    findings.push({
      check: 'crash guard',
      level: 'warn',
      detail: `${report.domainLoaded ? 'domain is loaded; ' : ''}the uncaught-exception capture callback is ${report.captureCallback}`,
      fix: 'The guard stands aside: a malformed Dataverse body then ends at policy.timeoutMs instead of at once. Nothing to change; keep timeoutMs short.',
    });
  else findings.push({ check: 'crash guard', level: 'ok', detail: 'capture callback takeable, domain not loaded' });
  return findings;
}

function judgeNetwork(report: ProbeReport, context: VerdictContext): Finding[] {
  return (['entra', 'dataverse'] as const).map((target) => {
    const answer = report[target];
    const label = target === 'entra' ? 'Entra login host (tenant metadata)' : 'Dataverse URL';
    if (!answer.reached)
      return {
        check: target,
        level: 'fail',
        detail: `${label} not reached (${answer.error ?? 'error'} after ${answer.ms} ms)`,
        fix: `Check the URL in the config, and ask Strivacity whether hooks may reach ${target === 'entra' ? 'login.microsoftonline.com' : 'your Dataverse host'}.`,
      };
    const slow = answer.ms > context.timeoutMs / 2;
    return {
      check: target,
      level: slow ? 'warn' : 'ok',
      detail: `${label} answered ${answer.status ?? '?'} in ${answer.ms} ms`,
      ...(slow ? { fix: `Raise policy.timeoutMs (now ${context.timeoutMs} ms): a cold registration needs a token and a lookup.` } : {}),
    } satisfies Finding;
  });
}
