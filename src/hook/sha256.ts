/**
 * SHA-256 of a string, as lower-case hex. Node's one-shot `crypto.hash` (Node 20.12 and 21.7) skips
 * the `Hash` object that `createHash` allocates and the garbage collector must later release: on
 * the warm path, where two hashes run per registration (the log's email hash and the link's), it is
 * about a third of the cost (docs/performance.md). Node 18 has no `crypto.hash`, so `createHash`
 * stays the fallback; both give the same digest.
 */
import * as crypto from 'node:crypto';

type OneShotHash = (algorithm: string, data: string, outputEncoding: 'hex') => string;
const oneShot = (crypto as { hash?: OneShotHash }).hash;

export function sha256Hex(text: string): string {
  if (typeof oneShot === 'function') return oneShot('sha256', text, 'hex');
  return crypto.createHash('sha256').update(text).digest('hex');
}
