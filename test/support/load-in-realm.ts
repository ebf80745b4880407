/**
 * Loads a built hook the way a sandboxing runtime might: its code evaluated with `vm` in a context
 * (a realm) of its own, with the usual Node globals and a `require` that hands it the host's
 * packages. Its `Array`, `Object`, `Promise` and `Error` are then not those of dynamics-web-api,
 * msal-node and zod.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createContext, runInContext } from 'node:vm';
import type { BuiltHookFunction } from '../../src/harness/load-hook.js';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The host's globals a Node runtime provides that a bare `vm` context lacks. */
export const USUAL_GLOBALS = [
  'console',
  'process',
  'Buffer',
  'setTimeout',
  'clearTimeout',
  'setInterval',
  'clearInterval',
  'setImmediate',
  'clearImmediate',
  'queueMicrotask',
  'structuredClone',
  'AbortController',
  'AbortSignal',
  'Event',
  'EventTarget',
  'URL',
  'URLSearchParams',
  'TextEncoder',
  'TextDecoder',
  'performance',
  'fetch',
  'Headers',
  'Request',
  'Response',
  'crypto',
  'atob',
  'btoa',
] as const;

export type UsualGlobal = (typeof USUAL_GLOBALS)[number];

/**
 * Evaluates `code` as a CommonJS module in a new realm; `globals` are added to that realm's global
 * object, and the usual ones except those named in `without` (a runtime built without them).
 */
export function loadBuiltHookInRealm(code: string, globals: Record<string, unknown>, without: readonly UsualGlobal[] = []): BuiltHookFunction {
  const filename = join(PROJECT_ROOT, 'dist', `realm-${process.pid}.hook.js`);
  const hostRequire = createRequire(filename);
  const sandbox: Record<string, unknown> = { ...globals };
  for (const name of USUAL_GLOBALS) if (!without.includes(name)) sandbox[name] = (globalThis as Record<string, unknown>)[name];
  const context = createContext(sandbox);
  const wrapper = runInContext(`(function (exports, require, module, __filename, __dirname) {\n${code}\n})`, context, { filename }) as (
    ...args: unknown[]
  ) => void;
  const module = { exports: {} as unknown };
  wrapper(module.exports, hostRequire, module, filename, join(PROJECT_ROOT, 'dist'));
  if (typeof module.exports !== 'function') throw new Error('The built hook does not export a function.');
  // The realm's own check: its arrays really are not the host's.
  if (runInContext('[]', context) instanceof Array) throw new Error('The context shares the host realm.');
  return module.exports as BuiltHookFunction;
}
