/**
 * The paste-able build. The Strivacity console runs an unknown Node version (PRODUCT.md: target
 * Node 18 and later), so besides size and dependencies this checks the emitted code against Node 18
 * in two ways:
 * - syntax: esbuild's own compatibility table decides. The built code is transformed once for
 *   `node18` and once for `esnext`; if the outputs differ, esbuild had to lower something, i.e. the
 *   code uses syntax Node 18 lacks (the self-check below proves this catches the regex `v` flag and
 *   `using`). esbuild's table does not cover everything (regex modifiers, duplicate named groups);
 *   for the TypeScript sources, `tsc` with target ES2022 reports those.
 * - API: a deny-list of globals and methods that arrived after Node 18 and that a bundle could
 *   plausibly use. Not exhaustive: it catches the likely slips (`toSorted`, `AbortSignal.any`, the
 *   bare `crypto` global, ...), not every one.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { transform } from 'esbuild';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { type BuiltHook, MAX_HOOK_CHARACTERS, RUNTIME_PACKAGES } from '../../src/build/artifact.js';
import { buildHook } from '../../src/build/build-hook.js';
import { type ConfigInput, parseResolvedConfig } from '../../src/hook/config.js';
import { blockConfigFor } from '../../src/build/block-config.js';
import { renderConfigBlock } from '../../src/build/config-block.js';
import { readProvenance } from '../../src/build/provenance.js';
import { HookError } from '../../src/hook/errors.js';

const RAW = {
  dataverse: { url: 'https://contoso.crm4.dynamics.com/' },
  auth: { tenantId: '11111111-2222-3333-4444-555555555555', clientId: '66666666-7777-8888-9999-000000000000', clientSecretVariable: 'BUILD_TEST_UNSET_SECRET' },
  policy: { notFound: 'showError' },
  enrich: { 'name.givenName': 'firstname' },
} satisfies ConfigInput;

const MANIFEST = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };

/** Node 20+ APIs a bundle might reach for, with the Node version that brought each. */
const NEWER_THAN_NODE_18: ReadonlyArray<readonly [string, RegExp]> = [
  ['Array.prototype.toSorted/toReversed/toSpliced (Node 20)', /\.(?:toSorted|toReversed|toSpliced)\(/],
  ['String.prototype.isWellFormed/toWellFormed (Node 20)', /\.(?:isWellFormed|toWellFormed)\(/],
  ['AbortSignal.any (Node 20.3)', /\bAbortSignal\.any\b/],
  ['Object.groupBy / Map.groupBy (Node 21)', /\b(?:Object|Map)\.groupBy\b/],
  ['navigator global (Node 21)', /(?<![\w$.])navigator\./],
  ['Promise.withResolvers (Node 22)', /\bPromise\.withResolvers\b/],
  ['Array.fromAsync (Node 22)', /\bArray\.fromAsync\b/],
  // Set#union and Set#intersection are left out: zod's `z.union(` would match.
  ['Set methods (Node 22)', /\.(?:symmetricDifference|isSubsetOf|isSupersetOf|isDisjointFrom)\(/],
  ['Iterator.from (Node 22)', /\bIterator\.from\b/],
  ['process.getBuiltinModule (Node 22)', /\bprocess\.getBuiltinModule\b/],
  ['RegExp.escape (Node 24)', /\bRegExp\.escape\b/],
  ['the crypto global (flagged in Node 18)', /(?<![\w$.])crypto\.(?:randomUUID|getRandomValues|subtle)\b/],
  ['import.meta (not in CommonJS)', /\bimport\.meta\b/],
];

/** Why `code` would not run on Node 18: syntax esbuild must lower, and deny-listed APIs. */
async function node18Problems(code: string): Promise<string[]> {
  const lower = async (target: string) => (await transform(code, { loader: 'js', format: 'cjs', target, logLevel: 'silent' })).code;
  const problems = (await lower('node18')) === (await lower('esnext')) ? [] : ['syntax that esbuild lowers for node18'];
  return [...problems, ...NEWER_THAN_NODE_18.filter(([, pattern]) => pattern.test(code)).map(([name]) => name)];
}

/** Every module name the code passes to `require`, and how many `require(` calls are not a string literal. */
function requiresOf(code: string): { names: string[]; dynamic: number } {
  const names = [...code.matchAll(/\brequire\("([^"]+)"\)/g)].map((match) => match[1] ?? '');
  const calls = code.match(/\brequire\(/g)?.length ?? 0;
  return { names: [...new Set(names)], dynamic: calls - names.length };
}

describe('buildHook (pre-registration)', () => {
  let built: BuiltHook;

  beforeAll(async () => {
    built = await buildHook('pre-registration', RAW);
  });

  it('starts with the commented config block, every default applied', () => {
    const block = renderConfigBlock(
      'pre-registration',
      blockConfigFor('pre-registration', parseResolvedConfig(RAW)),
      built.packageDependencies,
      readProvenance(),
    );
    expect(built.code.startsWith(`${block}\n`)).toBe(true);
    expect(block).toContain('"url": "https://contoso.crm4.dynamics.com",');
    expect(block).toContain('"timeoutMs": 2500,');
  });

  it('exports the hook with module.exports', () => {
    expect(built.code).toContain('module.exports = ');
  });

  it('requires only node: built-ins and the three declared packages, always by literal name', () => {
    const { names, dynamic } = requiresOf(built.code);
    expect(dynamic).toBe(0);
    expect(names.filter((name) => !name.startsWith('node:') && !(RUNTIME_PACKAGES as readonly string[]).includes(name))).toEqual([]);
    expect(names).toEqual(expect.arrayContaining([...RUNTIME_PACKAGES]));
  });

  it('requires only those modules when the console loads it, and exports an async (args, callback, error) function', () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const realRequire = createRequire(import.meta.url);
    const required: string[] = [];
    const recordingRequire = (name: string): unknown => {
      required.push(name);
      return realRequire(name) as unknown;
    };
    const module = { exports: {} as unknown };
    new Function('module', 'exports', 'require', built.code)(module, module.exports, recordingRequire);
    expect(required.filter((name) => !name.startsWith('node:') && !(RUNTIME_PACKAGES as readonly string[]).includes(name))).toEqual([]);
    expect(module.exports).toBeTypeOf('function');
    expect((module.exports as (...args: unknown[]) => unknown).length).toBe(3);
    expect((module.exports as object).constructor.name).toBe('AsyncFunction');
  });

  it(`is shorter than the console's limit of ${MAX_HOOK_CHARACTERS} characters`, () => {
    expect(MAX_HOOK_CHARACTERS).toBe(256_000);
    expect(built.code.length).toBeLessThan(MAX_HOOK_CHARACTERS);
  });

  it('uses no syntax and none of the listed APIs that Node 18 lacks', async () => {
    expect(await node18Problems(built.code)).toEqual([]);
  });

  it('declares packageDependencies equal to the exact pins in package.json', () => {
    expect(built.packageDependencies).toEqual({
      '@azure/msal-node': MANIFEST.dependencies['@azure/msal-node'],
      'dynamics-web-api': MANIFEST.dependencies['dynamics-web-api'],
      zod: MANIFEST.dependencies['zod'],
    });
    for (const version of Object.values(built.packageDependencies)) expect(version).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('buildHook (post-registration)', () => {
  let built: BuiltHook;

  beforeAll(async () => {
    built = await buildHook('post-registration', RAW);
  });

  it('starts with its own config block and exports the hook', () => {
    expect(
      built.code.startsWith(
        renderConfigBlock('post-registration', blockConfigFor('post-registration', parseResolvedConfig(RAW)), built.packageDependencies, readProvenance()),
      ),
    ).toBe(true);
    expect(built.code).toContain('module.exports = ');
  });

  it('requires only node: built-ins and the declared packages, stays under the limit, and suits Node 18', async () => {
    const { names, dynamic } = requiresOf(built.code);
    expect(dynamic).toBe(0);
    expect(names.filter((name) => !name.startsWith('node:') && !(RUNTIME_PACKAGES as readonly string[]).includes(name))).toEqual([]);
    expect(built.code.length).toBeLessThan(MAX_HOOK_CHARACTERS);
    expect(await node18Problems(built.code)).toEqual([]);
  });
});

describe('the Node 18 check itself', () => {
  it.each([
    ['the regex v flag', 'const letters = /[\\p{L}--[a-z]]/v;', 'syntax that esbuild lowers for node18'],
    ['a using declaration', '{ using handle = open(); }', 'syntax that esbuild lowers for node18'],
    ['toSorted', 'const sorted = list.toSorted();', 'Array.prototype.toSorted/toReversed/toSpliced (Node 20)'],
    ['AbortSignal.any', 'const signal = AbortSignal.any([a, b]);', 'AbortSignal.any (Node 20.3)'],
    ['the crypto global', 'const id = crypto.randomUUID();', 'the crypto global (flagged in Node 18)'],
  ])('flags %s', async (_label, snippet, problem) => {
    expect(await node18Problems(snippet)).toEqual([problem]);
  });

  it('passes Node 18 syntax and APIs: private fields, static blocks, ??=, Array#at, the crypto module', async () => {
    const snippet = 'class A { static { } #x = 1; has(o) { return #x in o; } }\nlet y; y ??= [1].at(-1);\nconst c = require("node:crypto"); c.randomUUID();';
    expect(await node18Problems(snippet)).toEqual([]);
  });
});

describe('buildHook refuses bad configs', () => {
  it('refuses an invalid config with a HookError config naming the bad key', async () => {
    const failure = buildHook('pre-registration', { ...RAW, policy: { notFound: 'maybe' } });
    await expect(failure).rejects.toBeInstanceOf(HookError);
    await expect(failure).rejects.toMatchObject({
      code: 'config',
      message: 'The hook configuration is invalid.',
      diagnostic: 'policy.notFound: must be one of allow, showError, deny',
    });
  });

  it('refuses a config without dataverse.url with a HookError config', async () => {
    const failure = buildHook('pre-registration', { ...RAW, dataverse: { organization: 'contoso' } });
    await expect(failure).rejects.toBeInstanceOf(HookError);
    await expect(failure).rejects.toMatchObject({
      code: 'config',
      message: 'The hook configuration is invalid.',
      diagnostic: 'dataverse.url: required in a built hook (doctor resolves an organization to its url)',
    });
  });

  it('refuses to build a hook longer than the console accepts', async () => {
    const texts = { notFound: 'n'.repeat(500), multipleMatches: 'm'.repeat(500), invalidEmail: 'i'.repeat(500), unavailable: 'u'.repeat(500) };
    const messages = Object.fromEntries([['en', texts], ...Array.from({ length: 150 }, (_, index) => [`en-x${index}`, texts])]);
    const refusal = await buildHook('pre-registration', { ...RAW, messages }).catch((error: unknown) => error);
    expect(refusal).toMatchObject({ code: 'config', message: 'The built hook is too long for the Strivacity console.' });
    expect((refusal as { diagnostic: string }).diagnostic).toMatch(/^\d+ characters; the console accepts 256000 \(shorten messages or remove locales\)$/);
  });
});
