/**
 * Hostile Admin API answers, through the commands over real HTTP (the stand-in, or a hostile
 * server on 127.0.0.1): escape sequences stay text, a secret the command sent is never printed
 * back, paging stops at a bound and says so, nulls in optional fields do not fail a command, and
 * redirects are refused. Every output is also scanned by the harness for the client secret.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_HOOK_PAGES } from '../../../src/cli/strivacity/admin-client.js';
import { formatSummary, MAX_SUMMARY_KEYS, summariseLogs } from '../../../src/cli/commands/logs/logs-summary.js';
import { REDACTED } from '../../../src/cli/terminal-text.js';
import type { StoredHook } from '../../../src/harness/strivacity/stand-in-state.js';
import { useAdminHarness } from './helpers.js';
import { type HostileAnswer, type HostileServer, startHostileServer } from './hostile-server.js';

const harness = useAdminHarness();
// eslint-disable-next-line no-control-regex -- what must never reach a terminal
const CONTROL_BYTE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
/** A title change, a screen clear, an OSC 52 clipboard write and a C1 CSI. */
const ESC = '\u001b]0;owned\u0007\u001b[2J\u001b]52;c;Y3VybCBldmlsfHNo\u0007\u009b31m';
const NAME = 'Dynamics 365 pre-registration';

let servers: HostileServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
});
async function hostile(answer: Parameters<typeof startHostileServer>[0], options?: Parameters<typeof startHostileServer>[1]) {
  const server = await startHostileServer(answer, options);
  servers.push(server);
  return server;
}

function expectClean(out: string): void {
  expect(out).not.toMatch(CONTROL_BYTE);
}

describe('escape sequences in API answers stay text', () => {
  it('logs: the outcome, reason, failure, stage and timestamps of log lines are printed without control bytes', async () => {
    const timestamp = new Date(Date.now() - 60_000).toISOString();
    const line = {
      level: 'error',
      event: 'registration.decided',
      outcome: `allow${ESC}`,
      reason: `m${ESC}`,
      failure: `f${ESC}`,
      stage: `s${ESC}`,
      latencyMs: 5,
      emailHash: 'abcdefabcdef',
    };
    harness.standIn.state.logs.push({
      id: 'log-1',
      timestamp,
      hook: { id: 'h', name: NAME, type: 'PRE_REGISTRATION' },
      logs: [{ level: 'error', message: JSON.stringify(line), timestamp: `${timestamp}${ESC}` }],
    });
    const { code, out } = await harness.run('logs', '--strivacity', harness.standIn.url, '--since', '1h');
    expect(code).toBe(0);
    expectClean(out);
    // Each sequence goes whole, its payload with it: what is left is what a person would read.
    expect(out).toContain('By outcome/reason:\n       1  allow/m\nFailures by class:\n       1  f (s)');
    expect(out).toMatch(/abcdefabcdef {7}5 ms {2}allow\/m {2}\d{4}-\d\d-\d\dT[\d:.]+Z/);
    expect(out).not.toContain('owned');
  });

  it("logs: the API's own timestamp of an entry is printed without control bytes", async () => {
    const line = { level: 'info', event: 'registration.decided', outcome: 'allow', reason: 'matched', latencyMs: 7, emailHash: '0123456789ab' };
    const server = await hostile(({ path }) =>
      path.endsWith('/logs')
        ? { body: [{ id: 'e1', timestamp: `2026-11-30T10:00:00Z${ESC}`, hook: null, logs: [{ message: JSON.stringify(line) }] }] }
        : { status: 404 },
    );
    const { code, out } = await harness.run('logs', '--strivacity', server.url);
    expect(code).toBe(0);
    expectClean(out);
    expect(out).toMatch(/0123456789ab {7}7 ms {2}allow\/matched {2}2026-11-30T10:00:00Z/);
  });

  it("deploy: the deployed code's config block and dependencies are shown without control bytes", async () => {
    const hook: StoredHook = {
      id: '9d5c8f3e-0000-4000-8000-000000000001',
      name: NAME,
      hook: 'PRE_REGISTRATION',
      blocking: true,
      code: `const HOOK_CONFIG = {\n  "note": "${ESC}",\r\n  "x": 1\n};\nmodule.exports = 1;\n`,
      packageDependencies: { [`evil${ESC}`]: '1.0.0' },
      variables: [],
      status: 'ACTIVE',
      upgradingPolls: 0,
    };
    harness.standIn.state.hooks.set(hook.id, hook);
    const { code, out } = await harness.run('deploy', '--strivacity', harness.standIn.url, '--config', harness.configFile, '--dry-run');
    expect(code).toBe(0);
    expectClean(out);
    expect(out).toContain('  -   "note": "", \n');
    expect(out).toContain(', - evil@1.0.0 (not required by this build; removed),');
  });

  it('deploy: the hook id the API returns is printed without control bytes', async () => {
    const id = `h-${ESC}`;
    const server = await hostile(hostileDeploy(id));
    const { code, out } = await harness.run(
      'deploy',
      '--strivacity',
      server.url,
      '--config',
      harness.configFile,
      '--poll-ms',
      '0',
      '--backup-dir',
      `${harness.dir}/b`,
    );
    expect(code).toBe(0);
    expectClean(out);
    expect(out).toContain('Updated hook h-.');
  });
});

/** A deploy that goes through: one hook (with `id`) found, updated, deployed, ACTIVE. */
function hostileDeploy(id: string, onUpdate?: (body: string) => HostileAnswer): Parameters<typeof startHostileServer>[0] {
  const hook = { id, name: NAME, hook: 'PRE_REGISTRATION', status: 'ACTIVE', code: 'module.exports = 0;', packageDependencies: {}, variables: [] };
  return ({ method, path, body }) => {
    if (method === 'GET' && path.endsWith('/function')) return { body: { content: [hook], page: { number: 0, totalPages: 1 } } };
    if (method === 'GET' && path.endsWith('/status')) return { body: { status: 'ACTIVE' } };
    if (method === 'GET') return { body: hook };
    if (method === 'PUT') return onUpdate?.(body) ?? { body: hook };
    return { body: 'OK', headers: { 'content-type': 'text/plain' } };
  };
}

describe('deploy --secret-from-env never prints the value it sent', () => {
  /** Regex specials, all of them characters the API's field errors may be printed with. */
  const SECRET_VALUE = 'p(a)ss.w<o>r=d:[x]';

  it('cuts the value out of an API field error that quotes it, regex specials and all', async () => {
    vi.stubEnv('DYNAMICS_CLIENT_SECRET', SECRET_VALUE);
    harness.standIn.faults.push({
      operationId: 'createEventHookFunction',
      status: 400,
      body: { fieldErrors: [{ field: 'variables[0].default', message: `value '${SECRET_VALUE}' is not allowed` }] },
    });
    const { code, out } = await harness.run(
      'deploy',
      '--strivacity',
      harness.standIn.url,
      '--config',
      harness.configFile,
      '--secret-from-env',
      '--poll-ms',
      '0',
      '--backup-dir',
      `${harness.dir}/b`,
    );
    expect(code).toBe(1);
    expect(out).toContain(`variables[0].default: value '${REDACTED}' is not allowed`);
    expect(out).not.toContain('w<o>r=d');
  });

  it('cuts the value out of what the API answers, in --json too (JSON-escaped, unicode)', async () => {
    const unicode = 'Zoë\\"€ $1 \u202e';
    vi.stubEnv('DYNAMICS_CLIENT_SECRET', unicode);
    const server = await hostile(hostileDeploy('plain-id', () => ({ body: { id: `echo ${unicode}`, name: NAME, hook: 'PRE_REGISTRATION' } })));
    const argv = [
      'deploy',
      '--strivacity',
      server.url,
      '--config',
      harness.configFile,
      '--secret-from-env',
      '--poll-ms',
      '0',
      '--backup-dir',
      `${harness.dir}/b`,
    ];
    const text = await harness.run(...argv);
    expect(text.code).toBe(0);
    expect(text.out).toContain(`Updated hook echo ${REDACTED}.`);
    const json = await harness.run(...argv, '--json');
    expect(json.code).toBe(0);
    expect((JSON.parse(json.out) as { id: string }).id).toBe(`echo ${REDACTED}`);
    for (const out of [text.out, json.out]) {
      expect(out).not.toContain('Zoë');
      expect(out).not.toContain(JSON.stringify(unicode).slice(1, -1));
    }
    // The value did reach the API, in the request body only.
    expect(server.requests.some((request) => request.startsWith('PUT '))).toBe(true);
  });
});

describe('paging has a bound', () => {
  it('deploy stops the hook search after its page bound, says so, and creates nothing, whatever totalPages claims', async () => {
    const server = await hostile(({ method, url }) =>
      method === 'GET'
        ? {
            body: {
              content: [{ id: 'x', name: 'another hook', hook: 'PRE_REGISTRATION' }],
              page: { number: Number(url.searchParams.get('page')), totalPages: 1e9 },
            },
          }
        : { status: 500 },
    );
    const { code, out } = await harness.run(
      'deploy',
      '--strivacity',
      server.url,
      '--config',
      harness.configFile,
      '--poll-ms',
      '0',
      '--backup-dir',
      `${harness.dir}/b`,
    );
    expect(code).toBe(1);
    expect(out).toBe(
      `Strivacity Admin API getAllEventHookFunctions: stopped after ${MAX_HOOK_PAGES} pages of 50 hooks without finding "${NAME}", though the list claims more. Nothing was changed; check the hooks of this instance in the console, or report this line.`,
    );
    expect(server.requests.filter((request) => request.startsWith('GET '))).toHaveLength(MAX_HOOK_PAGES);
    expect(server.requests.some((request) => request.startsWith('POST /admin'))).toBe(false);
  });

  it('deploy stops at an empty page even when totalPages claims more', async () => {
    const server = await hostile(({ method }) => (method === 'GET' ? { body: { content: [], page: { number: 0, totalPages: 1e9 } } } : { status: 500 }));
    const { out } = await harness.run('deploy', '--strivacity', server.url, '--config', harness.configFile, '--dry-run');
    expect(out).toContain('The hook does not exist: it will be created.');
    expect(server.requests.filter((request) => request.startsWith('GET '))).toHaveLength(1);
  });
});

describe('logs tolerates nulls and caps its summary', () => {
  it('reads entries whose timestamp, hook, lines and optional line fields are null', async () => {
    const line = { level: 'info', event: 'registration.decided', hook: null, outcome: 'allow', reason: 'matched', latencyMs: 3, emailHash: null, status: null };
    const server = await hostile(({ path }) =>
      path.endsWith('/logs')
        ? {
            body: [
              { id: 'a', timestamp: null, hook: null, logs: [{ level: null, message: JSON.stringify(line), timestamp: null }] },
              { id: 'b', timestamp: null, hook: null, logs: null },
            ],
          }
        : { body: { id: 'b', timestamp: null, hook: null, logs: null } },
    );
    const { code, out } = await harness.run('logs', '--strivacity', server.url);
    expect(code).toBe(0);
    expect(out).toMatch(/: 2 hook runs, 1 registrations \(1 hook log lines, 0 other lines\)/);
    expect(out).toContain('       1  allow/matched');
  });

  it('caps a table at its key bound and says how many lines went under "(other keys)"', async () => {
    const lines = Array.from({ length: MAX_SUMMARY_KEYS + 50 }, (_, index) => ({
      message: JSON.stringify({ level: 'info', event: 'registration.decided', outcome: `o${index}`, reason: 'r' }),
    }));
    const server = await hostile(({ path }) => (path.endsWith('/logs') ? { body: [{ id: 'a', logs: lines }] } : { status: 404 }));
    const { code, out } = await harness.run('logs', '--strivacity', server.url);
    expect(code).toBe(0);
    expect(out).toContain('      50  (other keys)');
    expect(out).toContain(`(50 lines had keys beyond the first ${MAX_SUMMARY_KEYS} of a table: counted under "(other keys)".)`);
  });

  it('sums up 200,000 distinct outcome keys without overflowing the stack', () => {
    const entry = {
      id: 'big',
      logs: Array.from({ length: 200_000 }, (_, index) => ({
        message: `{"level":"info","event":"registration.decided","outcome":"o${index}","reason":"r"}`,
      })),
    };
    const summary = summariseLogs([entry]);
    expect(Object.keys(summary.byOutcome)).toHaveLength(MAX_SUMMARY_KEYS + 1);
    expect(summary.cappedKeys).toBe(200_000 - MAX_SUMMARY_KEYS);
    expect(formatSummary(summary, 'of x')).toContain(`${200_000 - MAX_SUMMARY_KEYS}  (other keys)`);
  });

  it('counts a failure class named __proto__ as a key like any other', () => {
    const message = JSON.stringify({ level: 'error', event: 'token.renewal_failed', failure: '__proto__', status: 500 });
    const summary = summariseLogs([{ id: 'p', logs: [{ message }, { message }] }]);
    expect(summary.failures['__proto__']).toEqual({ count: 2, codes: { 'HTTP 500': 2 } });
    expect(({} as { count?: unknown }).count).toBeUndefined();
  });
});

describe('redirects are refused', () => {
  for (const status of [302, 307]) {
    it(`refuses a ${status} from an operation, and never asks the other host`, async () => {
      const other = await hostile(() => ({ body: { content: [], page: { number: 0, totalPages: 1 } } }));
      const server = await hostile(({ url }) => ({ status, headers: { location: `${other.url}${url.pathname}${url.search}` } }));
      const { code, out } = await harness.run('deploy', '--strivacity', server.url, '--config', harness.configFile, '--dry-run');
      expect(code).toBe(1);
      expect(out).toBe(
        `Strivacity Admin API getAllEventHookFunctions answered ${status} (a redirect), which dynamics-hook never follows: --strivacity must be the instance's own URL (https://<tenant>.strivacity.com), not an alias, a proxy or a login page.`,
      );
      expect(other.requests).toEqual([]);
    });
  }

  it('refuses a 307 from the token endpoint, which would re-send the request to the other host', async () => {
    const other = await hostile(() => ({}));
    const server = await hostile(() => ({}), { tokenAnswer: { status: 307, headers: { location: `${other.url}/oauth2/token` } } });
    const { code, out } = await harness.run('logs', '--strivacity', server.url);
    expect(code).toBe(1);
    expect(out).toMatch(/^Strivacity Admin API token request \(POST \/oauth2\/token\) answered 307 \(a redirect\), which dynamics-hook never follows/);
    expect(other.requests).toEqual([]);
  });
});
