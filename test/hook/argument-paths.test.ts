/** The key paths the account hooks log on `contract_mismatch` (src/hook/argument-paths.ts): keys only, masked, bounded. */
import { describe, expect, it } from 'vitest';
import { argumentKeyPaths } from '../../src/hook/argument-paths.js';

describe('argumentKeyPaths', () => {
  it('lists leaf paths, a list as [], an empty object as itself, and never a value', () => {
    const paths = argumentKeyPaths({ customer: { info: { userName: 'ada@example.com', groups: ['a'] }, attributes: {} }, session: null });
    expect(paths).toEqual(['customer.info.userName', 'customer.info.groups[]', 'customer.attributes', 'session']);
    expect(JSON.stringify(paths)).not.toContain('ada@');
  });

  it('masks a key that is not a plain identifier (an email used as a key) and survives a throwing getter', () => {
    const hostile = Object.defineProperty({}, 'secret', {
      enumerable: true,
      get() {
        throw new Error('no');
      },
    });
    expect(argumentKeyPaths({ byEmail: { 'ada@example.com': 1 }, hostile })).toEqual(['byEmail.*', 'hostile.secret']);
  });

  it('is bounded in depth and count', () => {
    const deep = { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } };
    expect(argumentKeyPaths(deep)).toEqual(['a.b.c.d.e']);
    const wide = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, i]));
    expect(argumentKeyPaths(wide)).toHaveLength(60);
  });
});
