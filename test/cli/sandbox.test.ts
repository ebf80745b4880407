/**
 * `dynamics-hook sandbox` as an operator runs it: a real child process started through the bin,
 * whose printed URL and credentials the Strivacity commands then use with a config of this test's
 * own (another tenant and environment than any the project ships). Ctrl-C stops it with exit
 * code 130, the documented "interrupted, after cleaning up": the sandbox has no other way to end,
 * so stopping it is an interruption, and 130 is what a shell reports for SIGINT. Its temporary
 * folder is empty afterwards.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { allowLoopback } from '../../src/harness/strivacity/stand-in-world.js';
import { SECRET } from '../support/helpers.js';

const BIN = fileURLToPath(new URL('../../src/cli/dynamics-hook.mjs', import.meta.url));

/** Not the project's test tenant: the sandbox's recorded world must follow whatever config it is given. */
const OWN_CONFIG = {
  dataverse: { url: 'https://fabrikam-sandbox.crm12.dynamics.com' },
  auth: { tenantId: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0', clientId: '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d', clientSecretVariable: 'FABRIKAM_SECRET' },
  policy: { notFound: 'showError' },
  enrich: { 'name.givenName': 'firstname' },
};

interface Sandbox {
  readonly child: ChildProcess;
  readonly tmp: string;
  stdout: string;
  readonly exited: Promise<number | null>;
}

let sandbox: Sandbox | undefined;

afterEach(() => {
  // A failed test must not leave the child running.
  if (sandbox?.child.exitCode === null) sandbox.child.kill('SIGKILL');
  sandbox = undefined;
});

/** Starts `dynamics-hook sandbox` with its own TMPDIR (tsx's cache off, so that folder holds only what the sandbox writes). */
function startSandbox(...argv: string[]): Sandbox {
  const tmp = mkdtempSync(join(tmpdir(), 'sandbox-test-'));
  const child = spawn(process.execPath, [BIN, 'sandbox', ...argv], {
    env: { ...process.env, TMPDIR: tmp, TSX_DISABLE_CACHE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const started: Sandbox = {
    child,
    tmp,
    stdout: '',
    exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
  };
  child.stdout?.on('data', (chunk: Buffer) => (started.stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (started.stdout += chunk.toString('utf8')));
  return started;
}

/** Waits (generously: a busy 2-core machine compiles the CLI first) until the sandbox printed its last hint line. */
async function waitForBanner(started: Sandbox): Promise<{ url: string; clientId: string; clientSecret: string }> {
  const deadline = Date.now() + 60_000;
  while (!/logs\s+--strivacity/.test(started.stdout)) {
    if (started.child.exitCode !== null || Date.now() > deadline) throw new Error(`sandbox did not start:\n${started.stdout}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const url = /on (http:\/\/127\.0\.0\.1:\d+) /.exec(started.stdout)?.[1];
  const clientId = /export STRIVACITY_CLIENT_ID=(\S+)/.exec(started.stdout)?.[1];
  const clientSecret = /export STRIVACITY_CLIENT_SECRET=(\S+)/.exec(started.stdout)?.[1];
  if (url === undefined || clientId === undefined || clientSecret === undefined) throw new Error(`unexpected banner:\n${started.stdout}`);
  return { url, clientId, clientSecret };
}

async function run(...argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const capture = (...parts: unknown[]) => lines.push(parts.map(String).join(' '));
  const log = vi.spyOn(console, 'log').mockImplementation(capture);
  const error = vi.spyOn(console, 'error').mockImplementation(capture);
  try {
    allowLoopback();
    const code = await runCli(argv);
    return { code, out: lines.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe('dynamics-hook sandbox', () => {
  it('serves deploy, tryout and logs with a config of the operator, and leaves nothing behind on Ctrl-C', async () => {
    const work = mkdtempSync(join(tmpdir(), 'sandbox-config-'));
    const configFile = join(work, 'my.config.json');
    writeFileSync(configFile, JSON.stringify(OWN_CONFIG));
    // No --config: the recorded world of each try-out comes from the config block of the submitted code.
    sandbox = startSandbox();
    const { url, clientId, clientSecret } = await waitForBanner(sandbox);
    expect(sandbox.stdout).toContain(`npx dynamics-hook deploy --strivacity ${url} --config <config>`);
    vi.stubEnv('STRIVACITY_CLIENT_ID', clientId);
    vi.stubEnv('STRIVACITY_CLIENT_SECRET', clientSecret);
    vi.stubEnv('FABRIKAM_SECRET', SECRET);
    const target = ['--strivacity', url, '--config', configFile];

    const deploy = await run('deploy', ...target, '--secret-from-env', '--poll-ms', '50', '--backup-dir', join(work, 'backups'));
    expect(deploy.out).toContain('Deployed: the hook is ACTIVE.');
    expect(deploy.code).toBe(0);

    const tryout = await run('tryout', ...target);
    // The sandbox's runtime reached the recorded Dataverse of *this* config: a known customer is
    // matched there as locally, and the others get this config's notFound: showError.
    expect(tryout.out).toMatch(/01-known-customer\.json\s+allow\s+allow \(matched\)/);
    expect(tryout.out).toMatch(/03-not-in-crm\.json\s+showError\s+showError \(not_found\)/);
    expect(tryout.out).toContain("All 8 payloads: Strivacity's runtime decided as the local run did.");
    expect(tryout.code).toBe(0);

    const logs = await run('logs', '--strivacity', url, '--since', '1h');
    expect(logs.out).toContain('8 registrations');
    expect(logs.out).toMatch(/\d+\s+allow\/matched/);
    expect(logs.code).toBe(0);
    for (const { out } of [deploy, tryout, logs]) expect(out).not.toContain(SECRET);

    sandbox.child.kill('SIGINT');
    expect(await sandbox.exited).toBe(130);
    expect(sandbox.stdout).toContain('Sandbox stopped (SIGINT).');
    expect(readdirSync(sandbox.tmp)).toEqual([]);
  }, 180_000);

  it('refuses a port that is not a number, before it listens', async () => {
    sandbox = startSandbox('--port', 'eighty');
    expect(await sandbox.exited).toBe(2);
    expect(sandbox.stdout).toContain('--port must be a port number (0 to 65535; 0 picks a free one).');
  }, 60_000);
});
