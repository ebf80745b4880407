/**
 * `deploy` against the Admin API stand-in: plan, create, update, the secret variable, the wait for
 * ACTIVE, the backup and its restore.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { SECRET } from '../../support/helpers.js';

import { CONFIG, useAdminHarness } from './helpers.js';

const MANIFEST = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };

const harness = useAdminHarness();

function deploy(...extra: string[]) {
  return harness.run(
    'deploy',
    '--strivacity',
    harness.standIn.url,
    '--config',
    harness.configFile,
    '--backup-dir',
    join(harness.dir, 'backups'),
    '--poll-ms',
    '0',
    ...extra,
  );
}

function onlyHook() {
  const hooks = [...harness.standIn.state.hooks.values()];
  expect(hooks).toHaveLength(1);
  return hooks[0]!;
}

describe('deploy', () => {
  it('shows in a dry run that the hook will be created, and changes nothing', async () => {
    const { code, out } = await deploy('--dry-run');
    expect(code).toBe(0);
    expect(out).toContain('(dry run: nothing is changed)');
    expect(out).toContain('The hook does not exist: it will be created.');
    expect(out).toContain(`Dependencies: + @azure/msal-node@${MANIFEST.dependencies['@azure/msal-node']}, + dynamics-web-api@2.5.0, + zod@4.6.7`);
    expect(out).toContain('Variables: + DYNAMICS_CLIENT_SECRET (secret, required; no value yet: set it in the console or use --secret-from-env)');
    expect(harness.standIn.state.hooks.size).toBe(0);
    expect(harness.standIn.requests.map((request) => request.operationId)).toEqual(['tokenpost', 'getAllEventHookFunctions']);
  });

  it("creates the hook of a kind under the config's strivacity section: its URL and its name for that kind, no flag", async () => {
    const file = join(harness.dir, 'with-strivacity.json');
    writeFileSync(file, JSON.stringify({ ...CONFIG, strivacity: { url: harness.standIn.url, hookNames: { 'post-identification': 'Brand sign-in gate' } } }));
    const { code, out } = await harness.run(
      'deploy',
      '--config',
      file,
      '--hook',
      'post-identification',
      '--poll-ms',
      '0',
      '--backup-dir',
      join(harness.dir, 'b'),
    );
    expect(code).toBe(0);
    expect(out).toContain('deploy post-identification hook "Brand sign-in gate"');
    expect(onlyHook()).toMatchObject({ name: 'Brand sign-in gate', hook: 'POST_IDENTIFICATION', blocking: true, status: 'ACTIVE' });
  });

  it('creates a missing hook, declares the secret without a value, deploys and waits until ACTIVE', async () => {
    const { code, out } = await deploy();
    expect(code).toBe(0);
    expect(out).toMatch(/Created hook [0-9a-f-]{36}\./);
    expect(out).toMatch(/status UPGRADING after \d+ s\n {2}status ACTIVE after \d+ s\nDeployed: the hook is ACTIVE\./);
    const hook = onlyHook();
    expect(hook).toMatchObject({ name: 'Dynamics 365 pre-registration', hook: 'PRE_REGISTRATION', blocking: true, status: 'ACTIVE' });
    expect(hook.code).toContain('const HOOK_CONFIG = {');
    expect(hook.variables).toEqual([
      { name: 'DYNAMICS_CLIENT_SECRET', type: 'secret', required: true, description: expect.any(String) as string, default: { type: 'noValue' } },
    ]);
  });

  it('sends the secret value only with --secret-from-env, and never prints it', async () => {
    vi.stubEnv('DYNAMICS_CLIENT_SECRET', SECRET);
    const { code, out } = await deploy('--secret-from-env');
    expect(code).toBe(0);
    expect(out).toContain('value sent from the environment');
    expect(onlyHook().variables[0]?.default).toEqual({ type: 'staticSecret', secretValue: SECRET });
  });

  it('refuses --secret-from-env when the variable is not set, before sending anything', async () => {
    const { code, out } = await deploy('--secret-from-env');
    expect(code).toBe(1);
    expect(out).toBe('--secret-from-env: DYNAMICS_CLIENT_SECRET is not set in this shell. Export it, or leave the flag out and set the value in the console.');
    expect(harness.standIn.requests).toEqual([]);
  });

  it('shows the config block diff, keeps the stored secret, backs up the old code, and restores it with --file', async () => {
    vi.stubEnv('DYNAMICS_CLIENT_SECRET', SECRET);
    await deploy('--secret-from-env');
    const first = onlyHook().code;
    writeFileSync(harness.configFile, JSON.stringify({ ...CONFIG, policy: { ...CONFIG.policy, notFound: 'showError' } }));

    const dry = await deploy('--dry-run');
    expect(dry.out).toContain('Code outside the config block: unchanged.');
    expect(dry.out).toContain('  -     "notFound": "allow",\n  +     "notFound": "showError",');
    expect(dry.out).toContain('Variables: unchanged');

    const { code, out } = await deploy();
    expect(code).toBe(0);
    const backup = /Saved the deployed code to (\S+)\.\n/.exec(out)?.[1] ?? '';
    expect(readFileSync(backup, 'utf8')).toBe(first);
    expect(out).toContain(
      `To restore the previous code: npx dynamics-hook deploy --strivacity ${harness.standIn.url} --config ${harness.configFile} --hook pre-registration --name "Dynamics 365 pre-registration" --file ${backup}`,
    );
    expect(onlyHook().code).toContain('"notFound": "showError"');
    expect(onlyHook().variables[0]?.default).toEqual({ type: 'staticSecret', secretValue: SECRET });

    const restored = await deploy('--file', backup);
    expect(restored.code).toBe(0);
    expect(onlyHook().code).toBe(first);
  });

  it('does nothing when the hook is up to date and ACTIVE', async () => {
    await deploy();
    const { code, out } = await deploy();
    expect(code).toBe(0);
    expect(out).toContain('Nothing to change: the hook is up to date and ACTIVE.');
    expect(harness.standIn.requests.filter((request) => request.operationId === 'deployEventHookFunction')).toHaveLength(1);
  });

  it('fails with the status reached when the hook does not become ACTIVE, and says how to restore', async () => {
    await deploy();
    harness.standIn.state.options = { ...harness.standIn.state.options, deployOutcome: 'UNHEALTHY' };
    writeFileSync(harness.configFile, JSON.stringify({ ...CONFIG, policy: { ...CONFIG.policy, timeoutMs: 2000 } }));
    const { code, out } = await deploy();
    expect(code).toBe(1);
    expect(out).toMatch(
      /status UNHEALTHY after \d+ s\nDeploy did not become ACTIVE: the hook is UNHEALTHY after the wait\. .*; to restore the previous code: npx dynamics-hook deploy .* --file \S+previous\.js$/,
    );
  });

  it('gives up after --wait-seconds with the status it reached', async () => {
    harness.standIn.state.options = { ...harness.standIn.state.options, upgradingPolls: 1000 };
    const { code, out } = await deploy('--wait-seconds', '0.05', '--poll-ms', '20');
    expect(code).toBe(1);
    expect(out).toMatch(/Deploy did not become ACTIVE: the hook is UPGRADING after the wait\./);
  });

  it('deploys the post-registration hook as a non-blocking POST_REGISTRATION hook', async () => {
    const { code } = await deploy('--hook', 'post-registration');
    expect(code).toBe(0);
    expect(onlyHook()).toMatchObject({ name: 'Dynamics 365 post-registration', hook: 'POST_REGISTRATION', blocking: false, status: 'ACTIVE' });
    expect(onlyHook().code).toContain('post-registration hook');
  });
});
