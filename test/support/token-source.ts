/**
 * TokenSources for the token tests: the test tenant and app, a client secret, a 5 s request timeout,
 * and every log line pushed to `logs`. Each source made in a test is closed after it (its renewal
 * timer would otherwise outlive the test).
 */
import { afterEach } from 'vitest';
import { createLogger, type LogLine } from '../../src/hook/log.js';
import { TokenSource, type TokenSourceOptions } from '../../src/hook/token.js';
import { CLIENT, ORG, TENANT } from './helpers.js';

export type MakeTokenSource = (options?: Partial<TokenSourceOptions>, logs?: LogLine[]) => TokenSource;

export function useTokenSources(): MakeTokenSource {
  const sources: TokenSource[] = [];
  afterEach(() => {
    for (const source of sources.splice(0)) source.close();
  });
  return (options = {}, logs = []) => {
    const source = new TokenSource({
      clientId: CLIENT,
      authority: `https://login.microsoftonline.com/${TENANT}`,
      resource: ORG,
      credential: { clientSecret: 'test-secret-not-real' },
      requestTimeoutMs: 5000,
      log: createLogger('debug', (line) => logs.push(line)),
      ...options,
    });
    sources.push(source);
    return source;
  };
}
