import { describe, expect, it } from 'vitest';
import { keyPathsOf, MAX_KEY_PATH_DEPTH, MAX_KEY_PATHS } from '../../src/hook/key-paths.js';

describe('keyPathsOf', () => {
  it('lists the leaf key paths, sorted, with arrays as [] and empty objects as leaves, never a value', () => {
    const paths = keyPathsOf({
      customer: { attributes: { emails: { primaryEmail: 'ada@example.com' } }, identifiers: {}, consents: [{ consentId: 'c1', optIn: true }, { version: 2 }] },
      session: null,
      oidc_context: { ui_locales: ['en', 'de'] },
    });

    expect(paths).toEqual([
      'customer.attributes.emails.primaryEmail',
      'customer.consents[].consentId',
      'customer.consents[].optIn',
      'customer.consents[].version',
      'customer.identifiers',
      'oidc_context.ui_locales[]',
      'session',
    ]);
    expect(paths.join(' ')).not.toContain('ada@example.com');
  });

  it('writes a key that does not look like an identifier as ?, so an object keyed by email does not leak it', () => {
    expect(keyPathsOf({ byEmail: { 'ada@example.com': { id: 1 } }, 'x y': 1 })).toEqual(['?', 'byEmail.?.id']);
  });

  it('stops at its depth and path bounds, and on a cycle', () => {
    const cycle: Record<string, unknown> = {};
    cycle['self'] = cycle;
    expect(keyPathsOf(cycle)).toEqual([`${Array.from({ length: MAX_KEY_PATH_DEPTH }, () => 'self').join('.')}.…`]);

    const wide = Object.fromEntries(Array.from({ length: MAX_KEY_PATHS + 20 }, (_, index) => [`k${String(index).padStart(3, '0')}`, 1]));
    const paths = keyPathsOf({ a: wide, b: wide });
    expect(paths).toHaveLength(MAX_KEY_PATHS + 1);
    expect(paths.at(-1)).toBe('…');
  });

  it('never throws on a getter or a proxy that throws: that key is a leaf', () => {
    const hostile = {
      get customer(): never {
        throw new Error('boom');
      },
      keys: new Proxy(
        {},
        {
          ownKeys() {
            throw new Error('boom');
          },
        },
      ),
    };
    expect(keyPathsOf(hostile)).toEqual(['customer', 'keys']);
    expect(keyPathsOf(undefined)).toEqual([]);
    expect(keyPathsOf('ada@example.com')).toEqual([]);
  });
});
