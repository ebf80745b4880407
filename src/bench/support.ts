/**
 * Helpers shared by the two processes of `npm run bench` (`main.ts` and `timings.ts`): the
 * benchmark's config, one registration through a loaded built hook, and small statistics.
 */
import { fileURLToPath } from 'node:url';
import type { ConfigInput } from '../hook/config.js';
import { DEMO_CONFIG } from '../harness/demo-config.js';
import { registrationPayload } from '../harness/run-hook.js';
import type { BuiltHookFunction } from '../harness/load-hook.js';

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** A known customer in the recorded `contacts` responses: the full path (allow + enrichment). */
export const EMAIL = 'ada.lovelace@example.com';

/** The demo's config (`npm start`), with the Dataverse URL swapped per stand-in. */
export function benchConfig(url: string): ConfigInput {
  return { ...DEMO_CONFIG, dataverse: { url } };
}

/** Runs the hook once; resolves when its promise settles (answer given and log line written). */
export async function registerOnce(hook: BuiltHookFunction, email = EMAIL): Promise<unknown> {
  let answer: unknown;
  const keep = (value: unknown) => {
    answer = value;
  };
  await hook(registrationPayload(email), keep, keep);
  return answer;
}

export function isAllow(answer: unknown): boolean {
  return typeof answer === 'object' && answer !== null && answer.constructor.name === 'RegistrationData';
}

export function percentile(sortedUs: readonly number[], p: number): number {
  return sortedUs[Math.min(sortedUs.length - 1, Math.floor((p / 100) * sortedUs.length))] ?? NaN;
}

export async function runConcurrently(total: number, concurrency: number, task: () => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next += 1;
        await task();
      }
    }),
  );
  return performance.now() - started;
}
