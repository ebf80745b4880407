/**
 * One try-out in Strivacity's runtime, with its clean-up guaranteed: the try-out resource (and the
 * temporary hook, when the named hook does not exist yet) is deleted when the work ends, fails, or
 * is interrupted with Ctrl-C. The try-out API needs a hook to hang the resource on
 * (`POST /eventHooks/function/{functionId}/test`); nothing is deployed.
 */
import { randomBytes } from 'node:crypto';
import type { AdminClient, TryoutAnswer } from './admin-client.js';
import { outsideText } from '../terminal-text.js';
import { AdminError } from './problem.js';
import type { Target } from './target.js';

export interface TryoutSession {
  /** True when the hook was created for this try-out (it has none of the named hook's variables). */
  readonly temporaryHook: boolean;
  call(requestBody: object): Promise<TryoutAnswer>;
}

/** Scopes a try-out needs: find the hook, create and call the resource, delete it. */
export const TRYOUT_SCOPES = ['read:config_event_hook', 'write:config_event_hook', 'delete:config_event_hook'] as const;

/**
 * Aborts `controller` on SIGINT for the duration of `work`; a second Ctrl-C during clean-up is
 * ignored so that the clean-up can finish.
 */
export async function onInterrupt<T>(controller: AbortController, work: () => Promise<T>): Promise<T> {
  const interrupt = () => {
    if (!controller.signal.aborted) {
      console.error('Interrupted: deleting the try-out resources first...');
      controller.abort();
    }
  };
  process.on('SIGINT', interrupt);
  try {
    return await work();
  } finally {
    process.off('SIGINT', interrupt);
  }
}

/** Runs `work` with a try-out resource for `code`, and deletes what it created whatever happens. */
export async function withTryout<T>(
  client: AdminClient,
  target: Pick<Target, 'type' | 'name'>,
  code: string,
  packageDependencies: Record<string, string>,
  work: (session: TryoutSession) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const cleanup = client.detached();
  const existing = await client.findHook(target.type, target.name);
  const hook =
    existing ??
    (await client.createHook({
      // A name of its own, so a probe never collides with (or replaces) a real hook.
      name: `dynamics-hook try-out ${randomBytes(4).toString('hex')}`,
      hook: target.type,
      blocking: target.type === 'PRE_REGISTRATION',
      code,
      packageDependencies,
      description: 'Temporary hook of dynamics-hook (probe / tryout); deleted when the try-out ends.',
    }));
  let tryoutId: string | undefined;
  try {
    tryoutId = await client.createTryout(hook.id, code, packageDependencies);
    const id = tryoutId;
    return await work({
      temporaryHook: existing === undefined,
      call: (requestBody) => {
        if (signal?.aborted === true) throw new AdminError('interrupted', 'Interrupted.');
        return client.callTryout(hook.id, id, code, packageDependencies, requestBody);
      },
    });
  } finally {
    const failures: string[] = [];
    if (tryoutId !== undefined) await cleanup.deleteTryout(hook.id, tryoutId).catch((error: unknown) => failures.push(describe(error, `try-out ${tryoutId}`)));
    if (existing === undefined) await cleanup.deleteHook(hook.id).catch((error: unknown) => failures.push(describe(error, `temporary hook ${hook.name}`)));
    for (const failure of failures) console.error(outsideText(failure));
  }
}

function describe(error: unknown, what: string): string {
  const reason = error instanceof AdminError ? error.message : 'an unexpected error';
  return `Could not delete ${what}: ${reason} Delete it in the console (Lifecycle Event Hooks).`;
}
