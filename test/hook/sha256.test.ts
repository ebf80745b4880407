/**
 * The hashes behind `emailHash` (log.ts) and `linkHash` (link.ts): the one-shot `crypto.hash` where
 * Node has it, `createHash` on Node 18. Both must give the same digest, or a link made on one
 * runtime would be ignored on the other (the link hash's fixed value is pinned in link.test.ts).
 */
import * as crypto from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sha256Hex } from '../../src/hook/sha256.js';

/** A fresh instance of the module, which reads `crypto.hash` when it loads. */
const MODULE = '../../src/hook/sha256.ts';
// FIPS 180-2, appendix B.1.
const ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

afterEach(() => {
  vi.doUnmock('node:crypto');
  vi.resetModules();
});

describe('sha256Hex', () => {
  it('gives the standard SHA-256 digest in lower-case hex', () => {
    expect(sha256Hex('abc')).toBe(ABC);
  });

  it('uses the one-shot crypto.hash where Node has it', async () => {
    const hash = vi.fn(crypto.hash);
    vi.doMock('node:crypto', () => ({ ...crypto, hash }));
    const fresh = (await import(/* @vite-ignore */ `${MODULE}?one-shot`)) as typeof import('../../src/hook/sha256.js');
    expect(fresh.sha256Hex('abc')).toBe(ABC);
    expect(hash).toHaveBeenCalledWith('sha256', 'abc', 'hex');
  });

  it('gives the same digest with createHash on a Node without crypto.hash (Node 18)', async () => {
    const createHash = vi.fn(crypto.createHash);
    vi.doMock('node:crypto', () => ({ ...crypto, hash: undefined, createHash }));
    const fresh = (await import(/* @vite-ignore */ `${MODULE}?node18`)) as typeof import('../../src/hook/sha256.js');
    expect(fresh.sha256Hex('abc')).toBe(ABC);
    expect(fresh.sha256Hex('dynamics-link/v1\nt\nc\nada@example.com')).toBe(sha256Hex('dynamics-link/v1\nt\nc\nada@example.com'));
    expect(createHash).toHaveBeenCalledWith('sha256');
  });
});
