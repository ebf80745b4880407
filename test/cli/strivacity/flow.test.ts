/**
 * The whole flow an administrator runs, for both hooks, against the Admin API stand-in: probe (the
 * hook is not there yet), deploy --dry-run, deploy --secret-from-env, probe again, tryout, logs.
 * Every request the client sent validated against the documented operations (checked after each
 * test by the harness).
 */
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { HookKind } from '../../../src/build/artifact.js';
import { SECRET } from '../../support/helpers.js';
import { useAdminHarness } from './helpers.js';

const harness = useAdminHarness();

// Each kind is tried out on its own samples: 8 registrations before, 5 after.
describe.each<[HookKind, string, number]>([
  ['pre-registration', 'PRE_REGISTRATION', 8],
  ['post-registration', 'POST_REGISTRATION', 5],
])('the %s hook from probe to logs', (kind, type, samples) => {
  it('probes, deploys, proves the runtime, tries out and reads the logs', async () => {
    const target = ['--strivacity', harness.standIn.url, '--config', harness.configFile, '--hook', kind];

    const firstProbe = await harness.run('probe', ...target);
    expect(firstProbe.code).toBe(1);
    expect(firstProbe.out).toContain('FAIL secret');

    const dryRun = await harness.run('deploy', ...target, '--dry-run');
    expect(dryRun.code).toBe(0);
    expect(dryRun.out).toContain('The hook does not exist: it will be created.');

    vi.stubEnv('DYNAMICS_CLIENT_SECRET', SECRET);
    const deploy = await harness.run('deploy', ...target, '--secret-from-env', '--poll-ms', '0', '--backup-dir', join(harness.dir, 'backups'));
    expect(deploy.code).toBe(0);
    expect(deploy.out).toContain('Deployed: the hook is ACTIVE.');
    vi.stubEnv('DYNAMICS_CLIENT_SECRET', undefined);
    const hook = [...harness.standIn.state.hooks.values()][0];
    expect(hook).toMatchObject({ hook: type, status: 'ACTIVE' });

    const probe = await harness.run('probe', ...target);
    expect(probe.code).toBe(0);
    expect(probe.out).toContain('Verdict: the hook works in this runtime.');

    const tryout = await harness.run('tryout', ...target);
    expect(tryout.code).toBe(0);
    expect(tryout.out).toContain(`All ${samples} payloads: Strivacity's runtime decided as the local run did.`);

    const logs = await harness.run('logs', '--strivacity', harness.standIn.url, '--hook', kind, '--since', '1h');
    expect(logs.code).toBe(0);
    // The try-out runs of the second probe and of the samples, as the stand-in logs them (the
    // first probe ran on a temporary hook of another name).
    expect(logs.out).toContain(`${samples + 1} hook runs, ${samples} registrations (${samples} hook log lines, 1 other lines)`);
    if (kind === 'pre-registration')
      expect(logs.out).toContain('By outcome/reason:\n       3  allow/matched\n       2  allow/not_found\n       2  showError/invalid_email');
    expect(logs.out).toMatch(/Latency: p50 \d+ ms, p95 \d+ ms, max \d+ ms/);

    expect(harness.standIn.state.tryouts.size).toBe(0);
    expect(harness.standIn.state.hooks.size).toBe(1);
  }, 60_000);
});
