/**
 * The two sides `tryout` compares: the decision Strivacity's runtime returned for a payload (read
 * from the try-out answer's `body`, whose shape per result class is not documented, so by the
 * fields each class is published with), and the decision the same built hook makes locally (`try`
 * for a pre-registration hook; the built post-registration hook run the same way).
 */
import type { HookKind } from '../../../build/artifact.js';
import { buildHook } from '../../../build/build-hook.js';
import { parseResolvedConfig } from '../../../hook/config.js';
import { runHook } from '../../../harness/run-hook.js';
import { loadBuiltHook } from '../../../harness/load-hook.js';
import { readSecret } from '../../../hook/secrets.js';
import { tryRegistration } from '../try/try.js';
import type { TryoutAnswer } from '../../strivacity/admin-client.js';
import { secretVariableOf } from '../../strivacity/target.js';

export interface Decision {
  /** allow | showError | deny | redirect | completed (post-registration) | none | failed (<status>) */
  readonly decision: string;
  /** The reason code of the hook's log line (local side only: the try-out answer carries no logs). */
  readonly reason?: string;
  /**
   * Post-registration, local side: each request written to Dataverse, as method, entity and column
   * names (`POST contacts [emailaddress1, firstname]`); never a value or a contact id.
   */
  readonly writes?: readonly string[];
}

function has(body: unknown, key: string): boolean {
  return typeof body === 'object' && body !== null && key in body;
}

/** The decision in a try-out answer: by the fields of the object the hook answered with. */
export function decisionOfAnswer(answer: TryoutAnswer, kind: HookKind): Decision {
  const { body } = answer;
  if (answer.status >= 500) return { decision: `failed (${answer.status})` };
  if (has(body, 'attributes')) return { decision: 'allow' };
  if (has(body, 'error_message')) return { decision: 'showError' };
  if (has(body, 'redirect_url')) return { decision: 'redirect' };
  // ErrorDenyRequest(description, hint) and DenyRequest(error, description) both carry a description.
  if (has(body, 'description')) return { decision: 'deny' };
  const empty = body === undefined || body === null || (typeof body === 'object' && Object.keys(body).length === 0);
  if (empty && answer.status < 300) return { decision: kind === 'post-registration' ? 'completed' : 'none' };
  return { decision: `unknown (${answer.status})` };
}

/** What the built hook decides for `payload` here, against the recorded responses (or live, pre only). */
export async function localDecision(kind: HookKind, rawConfig: unknown, payload: unknown, live: boolean): Promise<Decision> {
  if (kind === 'pre-registration') {
    const report = await tryRegistration({ rawConfig, payload, live });
    return { decision: report.decision, ...(report.reason === undefined ? {} : { reason: report.reason }) };
  }
  const config = parseResolvedConfig(rawConfig);
  const variable = secretVariableOf(config);
  const placeholder = readSecret(variable) === undefined;
  // Offline the recorded Entra accepts any secret, but the hook still reads one.
  if (placeholder) process.env[variable] = 'offline-placeholder-secret';
  const { serveRecordedWrites, waitForTokenPrefetch } = await import('../../../harness/stand-in.js');
  const standIn = serveRecordedWrites(config);
  try {
    const built = await buildHook('post-registration', rawConfig);
    const loaded = loadBuiltHook(built.code);
    // Closing the stand-in under the pre-fetch would log a token failure after the comparison.
    await waitForTokenPrefetch(standIn, 5_000);
    try {
      const run = await runHook(loaded.hook, payload);
      const synced = run.logLines.find(
        (line): line is { event: string; outcome?: string } => (line as { event?: unknown } | null)?.event === 'registration.synced',
      );
      const completed = run.via === 'callback' && run.calls === 1 && run.result === undefined;
      return {
        decision: completed ? 'completed' : run.via === 'none' ? 'none' : `${run.via} x${run.calls}`,
        ...(synced?.outcome === undefined ? {} : { reason: `sync ${synced.outcome}` }),
        writes: standIn.writes.map(
          (write) => `${write.method} ${write.method === 'PATCH' ? 'contacts(…)' : 'contacts'} [${[...write.columns].sort().join(', ')}]`,
        ),
      };
    } finally {
      loaded.unload();
    }
  } finally {
    standIn.close();
    if (placeholder) delete process.env[variable];
  }
}
