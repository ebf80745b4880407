/**
 * `probe` against the Admin API stand-in, whose runtime emulates what nobody has published: Node 18
 * or 20, either deny global, secrets in process.env or as globals, and `domain` loaded.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../../src/cli/commands/probe/probe.js';
import { NODE_18_RUNTIME, NODE_20_RUNTIME, type RuntimeProfile } from '../../../src/harness/strivacity/tryout-runtime.js';
import { SECRET } from '../../support/helpers.js';

import { useAdminHarness } from './helpers.js';

const MANIFEST = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };

const harness = useAdminHarness();

/** Creates the named hook with the secret variable set, as a deploy --secret-from-env would. */
function seedHook(type = 'PRE_REGISTRATION', name = 'Dynamics 365 pre-registration'): void {
  harness.standIn.state.hooks.set('hook-1', {
    id: 'hook-1',
    name,
    hook: type,
    blocking: type === 'PRE_REGISTRATION',
    code: 'module.exports = async () => undefined;',
    packageDependencies: {},
    variables: [{ name: 'DYNAMICS_CLIENT_SECRET', type: 'secret', required: true, default: { type: 'staticSecret', secretValue: SECRET } }],
    status: 'ACTIVE',
    upgradingPolls: 0,
  });
}

async function probe(runtime: RuntimeProfile, ...extra: string[]): Promise<{ code: number; result: ProbeResult }> {
  harness.standIn.state.options = { ...harness.standIn.state.options, runtime };
  const { code, out } = await harness.run('probe', '--strivacity', harness.standIn.url, '--config', harness.configFile, '--json', ...extra);
  return { code, result: JSON.parse(out) as ProbeResult };
}

function finding(result: ProbeResult, check: string) {
  return result.verdict.findings.find((item) => item.check === check);
}

describe('probe', () => {
  it('judges a Node 20 runtime with the secret in process.env as working, and leaves nothing behind', async () => {
    seedHook();
    const { code, result } = await probe(NODE_20_RUNTIME);
    expect(code).toBe(0);
    expect(result.verdict.works).toBe(true);
    expect(result.report.nodeVersion).toBe('v20.11.1');
    expect(result.report.secret).toEqual({ name: 'DYNAMICS_CLIENT_SECRET', inEnv: true, asGlobal: false });
    expect(result.report.resultClasses['ErrorDenyRequest']).toEqual({ present: true, arity: 2 });
    expect(result.report.resultClasses['DenyRequest']).toEqual({ present: false });
    expect(result.report.packages.every((item) => item.loaded && item.sameRealm === true)).toBe(true);
    expect(result.report.arguments.shape['customer']).toEqual(['attributes', 'consents', 'identifiers', 'ip_address', 'store']);
    expect(result.report.entra).toMatchObject({ reached: true, status: 200 });
    expect(result.report.dataverse).toMatchObject({ reached: true, status: 401 });
    expect(finding(result, 'crash guard')?.level).toBe('ok');
    expect(harness.standIn.state.tryouts.size).toBe(0);
    expect([...harness.standIn.state.hooks.keys()]).toEqual(['hook-1']);
  });

  it('warns, without failing, on a Node 18 runtime that msal-node declares unsupported, and says what to pin', async () => {
    seedHook();
    const { code, result } = await probe(NODE_18_RUNTIME);
    const msal = finding(result, 'package @azure/msal-node');
    const pinned = MANIFEST.dependencies['@azure/msal-node'];
    expect(msal).toMatchObject({
      level: 'warn',
      detail: `@azure/msal-node@${pinned} declares Node >=20; the runtime has v18.20.4 (outside its declared support)`,
    });
    expect(msal?.fix).toMatch(/^Pin an @azure\/msal-node release whose engines include v18\.20\.4/);
    expect(result.verdict.works).toBe(true);
    expect(code).toBe(0);
  });

  it('recognises DenyRequest as the deny global when the runtime has that one', async () => {
    seedHook();
    const { result } = await probe({ ...NODE_20_RUNTIME, deny: 'DenyRequest' });
    expect(finding(result, 'deny class')).toMatchObject({ level: 'ok', detail: 'DenyRequest (the hook picks it up)' });
    expect(result.report.resultClasses['ErrorDenyRequest']).toEqual({ present: false });
  });

  it('warns when no deny global exists', async () => {
    seedHook();
    const { result } = await probe({ ...NODE_20_RUNTIME, deny: 'none' });
    expect(finding(result, 'deny class')?.level).toBe('warn');
    expect(result.verdict.works).toBe(true);
  });

  it('sees a secret that arrives as a global, and reports its presence only', async () => {
    seedHook();
    const { code, result } = await probe({ ...NODE_20_RUNTIME, secrets: 'global' });
    expect(code).toBe(0);
    expect(result.report.secret).toEqual({ name: 'DYNAMICS_CLIENT_SECRET', inEnv: false, asGlobal: true });
    expect(finding(result, 'secret')?.detail).toBe('DYNAMICS_CLIENT_SECRET is visible as a global (presence only)');
  });

  it('fails when the secret reaches the code in neither way, and names the fix', async () => {
    seedHook();
    const { code, result } = await probe({ ...NODE_20_RUNTIME, secrets: 'none' });
    expect(code).toBe(1);
    expect(finding(result, 'secret')).toMatchObject({ level: 'fail', detail: 'DYNAMICS_CLIENT_SECRET is visible neither in process.env nor as a global' });
  });

  it('warns that the crash guard stands aside when domain is loaded', async () => {
    seedHook();
    const { result } = await probe({ ...NODE_20_RUNTIME, domainLoaded: true });
    expect(result.report).toMatchObject({ domainLoaded: true, captureCallback: 'held' });
    expect(finding(result, 'crash guard')).toMatchObject({ level: 'warn', detail: 'domain is loaded; the uncaught-exception capture callback is held' });
  });

  it('probes on a temporary hook when the named one does not exist, then deletes it', async () => {
    const { code, out } = await harness.run('probe', '--strivacity', harness.standIn.url, '--config', harness.configFile);
    expect(code).toBe(1);
    expect(out).toContain('try-out on a temporary hook');
    expect(out).toContain('FAIL secret');
    expect(harness.standIn.state.hooks.size).toBe(0);
    expect(harness.standIn.requests.map((request) => request.operationId)).toContain('deleteEventHookFunction');
  });

  it('probes a post-registration hook and sees its callback', async () => {
    seedHook('POST_REGISTRATION', 'Dynamics 365 post-registration');
    const { code, result } = await probe(NODE_20_RUNTIME, '--hook', 'post-registration');
    expect(code).toBe(0);
    expect(result.report.kind).toBe('post-registration');
    expect(result.report.arguments.callback).toBe('function');
  });
});
