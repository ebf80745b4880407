/**
 * `tryout` against the Admin API stand-in: the built hook runs in the stand-in's runtime (as the
 * harness loads a built file) next to the local run, per payload; differences fail the command;
 * the try-out resources are deleted, also when the command is interrupted with SIGINT.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { samplePayloads } from '../../../src/build/kinds/pre-registration.js';
import { SECRET } from '../../support/helpers.js';
import { ADMIN_CLIENT_ID, ADMIN_SECRET, useAdminHarness } from './helpers.js';

const harness = useAdminHarness();
const PROJECT = fileURLToPath(new URL('../../..', import.meta.url));

function tryout(...extra: string[]) {
  return harness.run('tryout', '--strivacity', harness.standIn.url, '--config', harness.configFile, ...extra);
}

async function deployWithSecret(kind = 'pre-registration'): Promise<void> {
  vi.stubEnv('DYNAMICS_CLIENT_SECRET', SECRET);
  const { code } = await harness.run(
    'deploy',
    '--strivacity',
    harness.standIn.url,
    '--config',
    harness.configFile,
    '--hook',
    kind,
    '--poll-ms',
    '0',
    '--secret-from-env',
    '--backup-dir',
    join(harness.dir, 'b'),
  );
  expect(code).toBe(0);
  vi.stubEnv('DYNAMICS_CLIENT_SECRET', undefined);
}

function writePayload(index: number): string {
  const sample = samplePayloads()[index]!;
  const file = join(harness.dir, sample.file);
  writeFileSync(file, JSON.stringify(sample.payload));
  return file;
}

describe('tryout', () => {
  it("decides every sample payload in Strivacity's runtime as the local run does", async () => {
    await deployWithSecret();
    const { code, out } = await tryout();
    expect(code).toBe(0);
    expect(out).toContain('  01-known-customer.json             allow         allow (matched)');
    expect(out).toContain('  07-invalid-email.json              showError     showError (invalid_email)');
    expect(out).toContain("All 8 payloads: Strivacity's runtime decided as the local run did.");
    expect(harness.standIn.state.tryouts.size).toBe(0);
    expect(harness.standIn.requests.filter((request) => request.operationId === 'callFunctionResource')).toHaveLength(8);
  });

  it('exits 1 and marks each payload that Strivacity decided differently', async () => {
    await deployWithSecret();
    harness.standIn.state.options = { ...harness.standIn.state.options, runtime: { ...harness.standIn.state.options.runtime!, secrets: 'none' } };
    const { code, out } = await tryout('--payload', writePayload(0));
    expect(code).toBe(1);
    expect(out).toContain('01-known-customer.json  showError     allow (matched)   <- DIFFERENT');
    expect(out).toContain("1 of 1 payloads decided differently in Strivacity's runtime: run probe to see what the runtime lacks.");
  });

  it('tries a hook that is not deployed yet on a temporary hook, and deletes it', async () => {
    const { code, out } = await tryout('--payload', writePayload(6), '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ rows: [{ payload: '07-invalid-email.json', strivacity: { decision: 'showError' }, same: true }] });
    expect(harness.standIn.state.hooks.size).toBe(0);
    expect(harness.standIn.state.tryouts.size).toBe(0);
  });

  it('compares the post-registration hook: it completes with one empty callback on both sides', async () => {
    await deployWithSecret('post-registration');
    const { code, out } = await tryout('--hook', 'post-registration', '--payload', writePayload(0));
    expect(code).toBe(0);
    expect(out).toContain('01-known-customer.json  completed     completed (sync unchanged)');
  });

  it('without --payloads, tries the post-registration hook on its own samples and shows what the local run wrote', async () => {
    await deployWithSecret('post-registration');
    const { code, out } = await tryout('--hook', 'post-registration', '--json');
    expect(code).toBe(0);
    const rows = (JSON.parse(out) as { rows: Array<{ payload: string; local: { decision: string; reason?: string; writes?: string[] } }> }).rows;
    expect(rows.map((row) => row.payload)).toEqual([
      '01-known-customer.json',
      '02-known-customer-blank-form.json',
      '03-new-customer.json',
      '04-two-contacts.json',
      '05-invalid-email.json',
    ]);
    const byName = new Map(rows.map((row) => [row.payload, row.local]));
    expect(byName.get('03-new-customer.json')).toMatchObject({ decision: 'completed', reason: 'sync created' });
    expect(byName.get('03-new-customer.json')?.writes).toEqual([expect.stringMatching(/^POST contacts \[.*emailaddress1.*\]$/)]);
    expect(byName.get('05-invalid-email.json')).toMatchObject({ reason: 'sync skipped', writes: [] });
    // Column names only: no value and no contact id reaches the output.
    expect(out).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\)/);
    expect(out).not.toContain('new.person@example.com');
  }, 60_000);

  it('deletes its try-out resources when interrupted with SIGINT, and exits 130', async () => {
    await deployWithSecret();
    harness.standIn.state.options = { ...harness.standIn.state.options, tryoutDelayMs: 4000 };
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'tryout', '--strivacity', harness.standIn.url, '--config', harness.configFile, '--payload', writePayload(0)],
      {
        cwd: PROJECT,
        env: { ...process.env, STRIVACITY_CLIENT_ID: ADMIN_CLIENT_ID, STRIVACITY_CLIENT_SECRET: ADMIN_SECRET },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Interrupt while the try-out call is running in the stand-in.
    await vi.waitFor(() => expect(harness.standIn.requests.some((request) => request.operationId === 'callFunctionResource')).toBe(true), {
      timeout: 30_000,
      interval: 50,
    });
    expect(harness.standIn.state.tryouts.size).toBe(1);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(output).toContain('Interrupted: deleting the try-out resources first...');
    expect(output).not.toContain(ADMIN_SECRET);
    expect(harness.standIn.state.tryouts.size).toBe(0);
    expect(harness.standIn.requests.at(-1)?.operationId).toBe('deleteFunctionResource');
  }, 60_000);
});
