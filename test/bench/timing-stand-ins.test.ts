/**
 * The timing child's Dataverse stand-in (`src/bench/timing-stand-ins.ts`): what it answers, and
 * that `delayMs` holds its answer back (`warm-ab.ts --server-delay-ms`). Only a lower bound on the
 * time is asserted: a busy machine can make an answer later, never earlier.
 */
import { request as httpsRequest } from 'node:https';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalServer, startLocalServer } from '../../src/bench/timing-stand-ins.js';
import { createSelfSignedCertificate } from '../../src/harness/self-signed.js';

const tls = createSelfSignedCertificate('127.0.0.1');

function get(server: LocalServer, path: string): Promise<{ status: number; body: { value?: unknown[]; contactid?: unknown }; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = httpsRequest(`${server.url}${path}`, { ca: tls.certPem, agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as { value?: unknown[] }, ms: performance.now() - started }));
    });
    request.on('error', reject);
    request.end();
  });
}

beforeAll(() => nock.enableNetConnect('127.0.0.1'));
afterAll(() => nock.disableNetConnect());

describe('the timing stand-in', () => {
  it('answers the lookup with the recorded collection and a read by id with one contact, and counts both', async () => {
    const server = await startLocalServer(tls.keyPem, tls.certPem);
    try {
      const lookup = await get(server, "/api/data/v9.2/contacts?$filter=emailaddress1%20eq%20'a%40example.com'");
      expect(lookup.status).toBe(200);
      expect(lookup.body.value).toHaveLength(1);
      const byId = await get(server, '/api/data/v9.2/contacts(00000000-0000-0000-0000-000000000001)');
      expect(byId.status).toBe(200);
      expect(typeof byId.body.contactid).toBe('string');
      expect(await server.requests()).toBe(2);
    } finally {
      server.close();
    }
  });

  it('with delayMs, answers no sooner than that', async () => {
    const server = await startLocalServer(tls.keyPem, tls.certPem, 150);
    try {
      const lookup = await get(server, '/api/data/v9.2/contacts');
      expect(lookup.body.value).toHaveLength(1);
      // A timer fires no earlier than asked; 2 ms allow for the clocks' rounding.
      expect(lookup.ms).toBeGreaterThanOrEqual(148);
    } finally {
      server.close();
    }
  });
});
