/**
 * Child process of test/built/domain.test.ts: loads the built hook given as argv[2] with
 * Node's `domain` module loaded `before` the hook or `after` its first registration (argv[3]), then
 * serves registrations against nock and prints one JSON line: how each was decided, the guard's
 * state, and what a host `uncaughtException` listener saw (with argv[4] = `listener`). A child,
 * because `domain` cannot be unloaded and would change the test runner's own process.
 */
import { createRequire } from 'node:module';
import nock from 'nock';
import { registrationPayload, runHook } from '../../src/harness/run-hook.js';
import { loadBuiltHook } from '../../src/harness/load-hook.js';
import { readFixture } from '../../src/harness/stand-in.js';
import { API, JSON_HEADERS, ORG, TENANT } from './helpers.js';

const [hookFile = '', when = 'before', listener = ''] = process.argv.slice(2);
const loadDomain = () => createRequire(import.meta.url)('node:domain') as unknown;
nock.disableNetConnect();
const hostSaw: string[] = [];
if (listener === 'listener') process.on('uncaughtException', (error: unknown) => hostSaw.push(String((error as Error | null)?.name)));
if (when === 'before') loadDomain();

nock('https://login.microsoftonline.com')
  .post(`/${TENANT}/oauth2/v2.0/token`)
  .query(true)
  .reply(200, readFixture('token.json') as nock.Body);
const { readFileSync } = await import('node:fs');
const { hook } = loadBuiltHook(readFileSync(hookFile, 'utf8'));

const recorded = readFixture('contacts-one.json') as { value: Array<Record<string, unknown>> };
const BODIES: Record<string, string> = {
  matched: JSON.stringify(recorded),
  malformed: '{"value": [{"contactid": ',
  batchresponse: JSON.stringify({ ...recorded, value: [{ ...recorded.value[0], firstname: 'Ann --batchresponse_ x' }] }),
};
const decided: Array<Record<string, unknown>> = [];
async function register(body: string): Promise<void> {
  nock(ORG).get(`${API}/contacts`).query(true).reply(200, BODIES[body], JSON_HEADERS);
  const run = await runHook(hook, registrationPayload('ada.lovelace@example.com'));
  const line = run.logLines.find((entry) => (entry as { event?: string }).event === 'registration.decided') as Record<string, unknown> | undefined;
  decided.push({ body, via: run.via, outcome: line?.['outcome'], failure: line?.['failure'], attempts: line?.['attempts'], latencyMs: line?.['latencyMs'] });
}

await register('matched');
if (when === 'after') loadDomain();
await register('matched');
await register('malformed');
await register('batchresponse');
// Let a late event (a rethrow on the next tick, a socket closing) show before reporting.
await new Promise((resolve) => setTimeout(resolve, 50));
const guard = (process as unknown as Record<symbol, { inFlight?: number; domainLoaded?: boolean } | undefined>)[
  Symbol.for('strivacity-dynamics-hook.crash-guard.v3')
];
console.log(JSON.stringify({ decided, inFlight: guard?.inFlight, domainLoaded: guard?.domainLoaded, hostSaw }));
process.exit(0);
