/**
 * The invocation every hint prints: what works from where the operator is. A clone has no
 * `dynamics-hook` on its PATH, so a bare name would be a "command not found".
 */
import { describe, expect, it } from 'vitest';
import { invocation } from '../../src/cli/invocation.js';

const ROOT = '/home/ada/strivacity-dynamics-hook';

describe('invocation', () => {
  it('is npx dynamics-hook inside the checkout, when started by npm run or tsx', () => {
    expect(invocation({ script: `${ROOT}/src/cli/main.ts`, path: '/usr/bin:/bin', cwd: ROOT, root: ROOT })).toBe('npx dynamics-hook');
    expect(invocation({ script: `${ROOT}/src/cli/main.ts`, path: '/usr/bin', cwd: `${ROOT}/configs`, root: ROOT })).toBe('npx dynamics-hook');
  });

  it('is npx dynamics-hook when npx started it: npx puts node_modules/.bin on the PATH of its child only', () => {
    const bin = `${ROOT}/node_modules/.bin`;
    expect(invocation({ script: `${bin}/dynamics-hook`, path: `${bin}:/usr/bin`, cwd: ROOT, root: ROOT })).toBe('npx dynamics-hook');
  });

  it('is the bare name when the bin was found on the PATH (npm link, a global install)', () => {
    expect(invocation({ script: '/usr/local/bin/dynamics-hook', path: '/usr/bin:/usr/local/bin', cwd: '/tmp', root: ROOT })).toBe('dynamics-hook');
  });

  it('names the bin by its path outside the checkout, where npx would ask the registry', () => {
    expect(invocation({ script: `${ROOT}/src/cli/main.ts`, path: '/usr/bin', cwd: '/home/ada', root: ROOT })).toBe(`node ${ROOT}/src/cli/dynamics-hook.mjs`);
    // A file called dynamics-hook that is not on the PATH (run by its path) is no proof either.
    expect(invocation({ script: '/opt/x/dynamics-hook', path: '/usr/bin', cwd: '/home/ada', root: ROOT })).toBe(`node ${ROOT}/src/cli/dynamics-hook.mjs`);
  });

  it('is what this test run, inside the checkout, prints', () => {
    expect(invocation()).toBe('npx dynamics-hook');
  });
});
