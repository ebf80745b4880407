/**
 * Helpers shared by the two processes of `npm run bench` (`bench.ts` and `bench-timings.ts`): the
 * benchmark's config, one registration through a loaded built hook, and small statistics.
 */
import { fileURLToPath } from 'node:url';
import type { ConfigInput } from './config.js';
import { registrationPayload } from './drive.js';
import type { BuiltHookFunction } from './load-hook.js';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** A known customer in the recorded `contacts` responses: the full path (allow + enrichment). */
export const EMAIL = 'ada.lovelace@example.com';

/** The demo's config (`npm start`), with the Dataverse URL swapped per stand-in. */
export function benchConfig(url: string): ConfigInput {
  return {
    dataverse: { url },
    auth: { tenantId: '11111111-2222-3333-4444-555555555555', clientId: '66666666-7777-8888-9999-000000000000', clientSecretVariable: 'DYNAMICS_CLIENT_SECRET' },
    lookup: { emailFields: ['emailaddress1'], activeOnly: true },
    policy: { notFound: 'showError', multipleMatches: 'allowMostRecent', invalidEmail: 'showError', onError: 'showError', timeoutMs: 2500 },
    enrich: { 'name.givenName': 'firstname', 'name.familyName': 'lastname', 'phoneNumbers.primaryPhoneNumber': 'mobilephone' },
  };
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

/** The hook writes one JSON log line per registration; in the timed phases it goes nowhere. */
export function silenceConsole(): () => void {
  const original = { log: console.log, error: console.error };
  console.log = () => undefined;
  console.error = () => undefined;
  return () => {
    console.log = original.log;
    console.error = original.error;
  };
}
