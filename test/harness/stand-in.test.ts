/**
 * The offline stand-ins' wait for a loaded hook's token pre-fetch (`npm start`, the benchmark):
 * bounded, and loud when the pre-fetch never comes.
 */
import { describe, expect, it } from 'vitest';
import { parseResolvedConfig } from '../../src/hook/config.js';
import { serveRecordedResponses, waitForTokenPrefetch } from '../../src/harness/stand-in.js';
import { BASE_CONFIG, TENANT } from '../support/helpers.js';

describe('waitForTokenPrefetch', () => {
  it('returns once the stand-in has served the token', async () => {
    const standIn = serveRecordedResponses(parseResolvedConfig(BASE_CONFIG));
    try {
      const prefetch = fetch(`https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`, { method: 'POST' });
      await waitForTokenPrefetch(standIn, 1_000);
      expect(standIn.counts.token).toBe(1);
      expect((await prefetch).status).toBe(200);
    } finally {
      standIn.close();
    }
  });

  it('throws a timeout HookError when no token request arrives in time', async () => {
    const standIn = serveRecordedResponses(parseResolvedConfig(BASE_CONFIG));
    try {
      const started = performance.now();
      const failure = await waitForTokenPrefetch(standIn, 100).catch((error: unknown) => error);
      expect(failure).toMatchObject({
        name: 'HookError',
        code: 'timeout',
        stage: 'token',
        message: "The hook's token pre-fetch did not reach the stand-in within 100 ms.",
      });
      expect(performance.now() - started).toBeLessThan(1_000);
    } finally {
      standIn.close();
    }
  });
});
