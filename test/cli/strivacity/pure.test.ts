/**
 * The pure parts of the Strivacity commands: the probe's verdict, reading a try-out answer, and the
 * deploy plan's diff and variables.
 */
import { describe, expect, it } from 'vitest';
import { decisionOfAnswer } from '../../../src/cli/commands/tryout/decisions.js';
import { diffLines, planDeploy } from '../../../src/cli/commands/deploy/deploy-plan.js';
import type { ProbeReport } from '../../../src/cli/commands/probe/probe-hook.js';
import { judgeProbe, nodeSatisfies } from '../../../src/cli/commands/probe/probe-verdict.js';

const REPORT: ProbeReport = {
  kind: 'pre-registration',
  nodeVersion: 'v20.11.1',
  resultClasses: { ShowErrorMessage: { present: true, arity: 2 }, ErrorDenyRequest: { present: true, arity: 2 } },
  secret: { name: 'DYNAMICS_CLIENT_SECRET', inEnv: true, asGlobal: false },
  fetch: true,
  abortSignalTimeout: true,
  asyncLocalStorage: true,
  domainLoaded: false,
  captureCallback: 'takeable',
  packages: [{ name: 'zod', loaded: true, version: '4.6.7', sameRealm: true }],
  arguments: { count: 3, callback: 'function', error: 'function', shape: {} },
  entra: { reached: true, status: 200, ms: 40 },
  dataverse: { reached: true, status: 401, ms: 30 },
};
const CONTEXT = { engines: { zod: { version: '4.6.7', node: undefined } }, timeoutMs: 2500 };

describe('nodeSatisfies', () => {
  it('reads >=, ^, x and || ranges, and says undefined for what it does not understand', () => {
    expect(nodeSatisfies('v20.11.1', '>=20')).toBe(true);
    expect(nodeSatisfies('v18.20.4', '>=20')).toBe(false);
    expect(nodeSatisfies('v18.20.4', '>=16.0.0')).toBe(true);
    expect(nodeSatisfies('v18.20.4', '^18.17 || >=20')).toBe(true);
    expect(nodeSatisfies('v19.1.0', '^18.17 || >=20')).toBe(false);
    expect(nodeSatisfies('v20.1.0', '20.x')).toBe(true);
    expect(nodeSatisfies('v20.1.0', '>18 <21')).toBeUndefined();
  });
});

describe('judgeProbe', () => {
  it('passes a runtime that has everything the hook needs', () => {
    expect(judgeProbe(REPORT, CONTEXT).works).toBe(true);
  });

  it('fails a runtime without global fetch, which msal-node needs', () => {
    const verdict = judgeProbe({ ...REPORT, fetch: false }, CONTEXT);
    expect(verdict.works).toBe(false);
    expect(verdict.findings.find((finding) => finding.check === 'fetch')).toMatchObject({ level: 'fail', detail: 'no global fetch' });
  });

  it('fails a package that cannot be required, and warns about another realm', () => {
    const verdict = judgeProbe(
      {
        ...REPORT,
        packages: [
          { name: 'zod', loaded: false },
          { name: 'other', loaded: true, sameRealm: false },
        ],
      },
      CONTEXT,
    );
    expect(verdict.findings.find((finding) => finding.check === 'package zod')).toMatchObject({
      level: 'fail',
      fix: "Add zod@4.6.7 to the hook's dependencies (deploy does this).",
    });
    expect(verdict.findings.find((finding) => finding.check === 'realm other')?.level).toBe('warn');
  });

  it('fails an unreachable Dataverse and warns about one slower than half the deadline', () => {
    const unreachable = judgeProbe({ ...REPORT, dataverse: { reached: false, error: 'ENOTFOUND', ms: 12 } }, CONTEXT);
    expect(unreachable.findings.find((finding) => finding.check === 'dataverse')).toMatchObject({
      level: 'fail',
      detail: 'Dataverse URL not reached (ENOTFOUND after 12 ms)',
    });
    const slow = judgeProbe({ ...REPORT, entra: { reached: true, status: 200, ms: 1800 } }, CONTEXT);
    expect(slow.findings.find((finding) => finding.check === 'entra')).toMatchObject({
      level: 'warn',
      fix: 'Raise policy.timeoutMs (now 2500 ms): a cold registration needs a token and a lookup.',
    });
  });

  it('fails a pre-registration hook that got no callback', () => {
    const verdict = judgeProbe({ ...REPORT, arguments: { count: 1, callback: 'undefined', error: 'undefined', shape: {} } }, CONTEXT);
    expect(verdict.findings.find((finding) => finding.check === 'callback')?.level).toBe('fail');
  });
});

describe('decisionOfAnswer', () => {
  it('reads the decision from the fields of the object the hook answered with', () => {
    expect(decisionOfAnswer({ status: 200, body: { attributes: {}, additionalAuthenticators: [], session: {} } }, 'pre-registration').decision).toBe('allow');
    expect(decisionOfAnswer({ status: 200, body: { error_message: 'x', session: {} } }, 'pre-registration').decision).toBe('showError');
    expect(decisionOfAnswer({ status: 403, body: { description: 'x', hint: '' } }, 'pre-registration').decision).toBe('deny');
    expect(decisionOfAnswer({ status: 200, body: { error: 'access_denied', description: 'x' } }, 'pre-registration').decision).toBe('deny');
    expect(decisionOfAnswer({ status: 200, body: { redirect_url: 'https://x', session: {} } }, 'pre-registration').decision).toBe('redirect');
    expect(decisionOfAnswer({ status: 200, body: {} }, 'post-registration').decision).toBe('completed');
    expect(decisionOfAnswer({ status: 200, body: {} }, 'pre-registration').decision).toBe('none');
    expect(decisionOfAnswer({ status: 504, body: { message: 'x' } }, 'pre-registration').decision).toBe('failed (504)');
  });
});

describe('the deploy plan', () => {
  it('diffs lines with removals before additions', () => {
    expect(diffLines(['a', 'b', 'c'], ['a', 'B', 'c'])).toEqual(['  a', '- b', '+ B', '  c']);
  });

  it("keeps the hook's other variables as they are and sends a stored secret back without a value", () => {
    const plan = planDeploy({
      deployed: {
        id: 'h',
        name: 'n',
        hook: 'PRE_REGISTRATION',
        code: 'x',
        packageDependencies: {},
        variables: [
          { name: 'REGION', type: 'variable', required: false, default: { type: 'staticVariable', value: 'eu' } },
          { name: 'DYNAMICS_CLIENT_SECRET', type: 'secret', required: true, default: { type: 'staticSecret' } },
        ],
      },
      code: 'y',
      packageDependencies: {},
      secretVariable: 'DYNAMICS_CLIENT_SECRET',
      sendsSecretValue: false,
    });
    expect(plan.variables).toEqual([
      { name: 'REGION', type: 'variable', required: false, default: { type: 'staticVariable', value: 'eu' } },
      { name: 'DYNAMICS_CLIENT_SECRET', type: 'secret', required: true, description: expect.any(String) as string, default: { type: 'staticSecret' } },
    ]);
    expect(plan.variableChanges).toEqual([]);
    expect(plan.configDiff).toEqual(['(the deployed code has no dynamics-hook config block: 1 characters, replaced whole)']);
  });
});
