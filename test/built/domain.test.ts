/**
 * The BUILT hook in a process where Node's `domain` module is loaded (by the host, or one of its
 * packages), before the hook or after it has served registrations. Then
 * `process.setUncaughtExceptionCaptureCallback` throws, and the guard must neither fail requests nor
 * leak its count, and must still contain what dynamics-web-api throws. Each case runs in a child
 * process (test/support/domain-registrations.ts): `domain` cannot be unloaded from the runner's own.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHook } from '../../src/build/build-hook.js';
import { configWith, SECRET } from '../support/helpers.js';

const TIMEOUT_MS = 1500;
const CONFIG = configWith({ policy: { onError: 'deny', timeoutMs: TIMEOUT_MS } });
let dir = '';
let hookFile = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hook-domain-'));
  hookFile = join(dir, 'hook.js');
  writeFileSync(hookFile, (await buildHook('pre-registration', CONFIG)).code);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Report {
  decided: Array<{ body: string; via: string; outcome: string; failure?: string; attempts: number; latencyMs: number }>;
  inFlight: number;
  domainLoaded: boolean;
  hostSaw: string[];
}

function runChild(when: 'before' | 'after', listener: 'listener' | 'none'): Report {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('../support/domain-registrations.ts', import.meta.url)), hookFile, when, listener],
    {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      env: { ...process.env, DYNAMICS_CLIENT_SECRET: SECRET, NODE_OPTIONS: '' },
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  expect(child.stderr).not.toMatch(/Error/);
  expect(child.status).toBe(0);
  return JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as Report;
}

function expectDecidedNormally(report: Report): void {
  expect(report.decided.map(({ body, outcome, failure, attempts }) => ({ body, outcome, failure, attempts }))).toEqual([
    { body: 'matched', outcome: 'allow', failure: undefined, attempts: 1 },
    { body: 'matched', outcome: 'allow', failure: undefined, attempts: 1 },
    { body: 'malformed', outcome: 'deny', failure: 'bad_response', attempts: 1 },
    { body: 'batchresponse', outcome: 'deny', failure: 'bad_response', attempts: 1 },
  ]);
  // Before the deadline, not at it: that is what contained means. (Under load, a fresh child's first
  // requests can take half the deadline; a body left to the deadline takes all of it.)
  for (const { latencyMs } of report.decided) expect(latencyMs).toBeLessThan(TIMEOUT_MS);
  expect(report.inFlight).toBe(0);
  expect(report.domainLoaded).toBe(true);
}

describe('the built hook with the domain module loaded', () => {
  it('loaded before the hook: registrations are decided normally, and a body the library cannot parse is a bad response at once', () => {
    const report = runChild('before', 'none');

    expectDecidedNormally(report);
  });

  it("loaded after the first registration, with a host uncaughtException listener: the same, and the host's listener sees nothing", () => {
    const report = runChild('after', 'listener');

    expectDecidedNormally(report);
    expect(report.hostSaw).toEqual([]);
  });
});
