/**
 * `dynamics-hook probe --strivacity <url> --config <file> [--hook pre-registration|post-registration]
 * [--name <hook>] [--json]`: runs the probe hook (`probe-hook.ts`) once through Strivacity's try-out
 * API (nothing is deployed) and prints what the runtime offers and the verdict: what works, what
 * does not, what to change. Exit code 0 when nothing fails.
 */
import { RUNTIME_PACKAGES } from '../../../build/artifact.js';
import { authorityOf } from '../../../hook/config.js';
import { registrationPayload } from '../../../harness/run-hook.js';
import { outsideJson, outsideText } from '../../terminal-text.js';
import { AdminError } from '../../strivacity/problem.js';
import { findProbeReport, type ProbeReport, probeReportSchema, renderProbeHook } from './probe-hook.js';
import { judgeProbe, type Verdict } from './probe-verdict.js';
import { openClient, readTarget, runtimeEngines, secretVariableOf, TARGET_ARGS, type Target } from '../../strivacity/target.js';
import { ADMIN_API_NOTE } from '../../strivacity/admin-api-note.js';
import { defineCommand, type ParsedArgs } from '../../args.js';
import { onInterrupt, TRYOUT_SCOPES, withTryout } from '../../strivacity/tryout-session.js';

export interface ProbeResult {
  readonly hook: string;
  readonly temporaryHook: boolean;
  readonly report: ProbeReport;
  readonly verdict: Verdict;
}

/** A registration-shaped payload whose email is reserved (RFC 2606): no person's data. */
export const PROBE_PAYLOAD = registrationPayload('probe@example.invalid');

/** Runs the probe for `target` and judges it. */
export async function probeRuntime(target: Target, signal?: AbortSignal): Promise<ProbeResult> {
  const code = renderProbeHook({
    kind: target.kind,
    secretVariable: secretVariableOf(target.config),
    entraUrl: `${authorityOf(target.config)}/v2.0/.well-known/openid-configuration`,
    dataverseUrl: `${target.config.dataverse.url}/api/data/v${target.config.dataverse.apiVersion}/`,
    packages: RUNTIME_PACKAGES,
  });
  const engines = runtimeEngines();
  const dependencies = Object.fromEntries(Object.entries(engines).map(([name, pinned]) => [name, pinned.version]));
  // The runtime may take a while to start a try-out container: a minute before giving up.
  const client = openClient(target, TRYOUT_SCOPES, signal, 60_000);
  return withTryout(
    client,
    target,
    code,
    dependencies,
    async (session) => {
      const answer = await session.call(PROBE_PAYLOAD);
      const parsed = probeReportSchema.safeParse(findProbeReport(answer.body));
      if (!parsed.success)
        throw new AdminError(
          'bad_response',
          `The probe ran (try-out status ${answer.status}) but its report did not come back${target.kind === 'post-registration' ? ' (a post-registration hook may get no callback)' : ''}. Open the hook's Debug Logs in the console: the probe logged it as one JSON line.`,
        );
      return {
        hook: target.name,
        temporaryHook: session.temporaryHook,
        report: parsed.data,
        verdict: judgeProbe(parsed.data, { engines, timeoutMs: target.config.policy.timeoutMs }),
      };
    },
    signal,
  );
}

const MARK = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' } as const;

export function formatProbe(result: ProbeResult): string {
  const { report, verdict } = result;
  const lines = [
    `probe (${report.kind}, try-out on ${result.temporaryHook ? 'a temporary hook: the named hook does not exist yet, so its variables are not there' : `hook "${result.hook}"`})`,
    ...verdict.findings.map(
      // Details quote what the runtime reported (versions, error texts): one line each.
      (finding) =>
        `  ${MARK[finding.level]} ${finding.check.padEnd(28)} ${outsideText(finding.detail)}${finding.fix === undefined ? '' : `\n       -> ${outsideText(finding.fix)}`}`,
    ),
    `  arguments: ${report.arguments.count} (callback: ${report.arguments.callback}, error: ${report.arguments.error}); keys: ${Object.entries(
      report.arguments.shape,
    )
      .map(([key, value]) => outsideText(Array.isArray(value) ? `${key}{${value.join(',')}}` : key, { maxLength: 200 }))
      .join(' ')}`,
    verdict.works
      ? 'Verdict: the hook works in this runtime.'
      : 'Verdict: the hook does NOT work in this runtime yet: change what is marked FAIL, then probe again.',
  ];
  return lines.join('\n');
}

export const PROBE_COMMAND = defineCommand({
  name: 'probe',
  summary: 'Strivacity: judge the hook runtime through Try Out (no deployment)',
  description: `Runs a probe hook through Strivacity's Try Out (no deployment) and judges the runtime: Node
version, result classes, the secret variable (presence only), the crash guard's needs, the realm
of the packages, the key paths of the arguments the runtime passed (never values), the time to
reach Entra and Dataverse. Exit code 0 when nothing fails.${ADMIN_API_NOTE}`,
  args: TARGET_ARGS,
  run: probe,
});

async function probe(values: ParsedArgs<typeof TARGET_ARGS>): Promise<{ exitCode: number }> {
  const target = readTarget(values);
  const controller = new AbortController();
  const result = await onInterrupt(controller, () => probeRuntime(target, controller.signal));
  // The report comes back from code that ran in Strivacity's runtime: outside text.
  console.log(values.json ? outsideJson(result) : outsideText(formatProbe(result), { multiline: true }));
  return { exitCode: result.verdict.works ? 0 : 1 };
}
