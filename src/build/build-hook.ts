/**
 * The paste-able hook: one readable CommonJS file for the Strivacity console. The config sits at
 * the top as an editable, commented block; below it, the bundled hook. Only Node built-ins and the
 * three declared packages are `require`d; their exact versions are the `packageDependencies` to
 * enter in the hook's settings.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { parseResolvedConfig } from '../hook/config.js';
import { configError } from '../hook/errors.js';
import { type BuiltHook, type HookKind, MAX_HOOK_CHARACTERS, RUNTIME_PACKAGES } from './artifact.js';
import { blockConfigFor } from './block-config.js';
import { entryOf } from './kinds.js';
import { renderConfigBlock } from './config-block.js';
import { readProvenance } from './provenance.js';

/** Builds a hook for a config (validated first: a config that would fail at load fails here). */
export async function buildHook(kind: HookKind, rawConfig: unknown): Promise<BuiltHook> {
  // The block shows the config with every default applied, so each setting is visible and editable;
  // it holds only what this hook reads, and must pass the check the built file runs at load.
  const config = blockConfigFor(kind, parseResolvedConfig(rawConfig));
  parseResolvedConfig(config);
  const packageDependencies = installedVersions();
  const result = await build({
    entryPoints: [fileURLToPath(entryOf(kind))],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    // Strivacity does not publish its Node version: emit nothing that Node 18 lacks.
    target: 'node18',
    external: [...RUNTIME_PACKAGES],
    minify: false,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
  });
  // The config block opens the file with 'use strict'; esbuild's own directive would be a no-op there.
  const bundled = (result.outputFiles[0]?.text ?? '').replace(/^"use strict";\n/, '');
  const code = `${renderConfigBlock(kind, config, packageDependencies, readProvenance())}\n${bundled}`;
  if (code.length > MAX_HOOK_CHARACTERS) {
    // Only the config can make the file grow this much (long messages, many locales).
    throw configError(
      'The built hook is too long for the Strivacity console.',
      `${code.length} characters; the console accepts ${MAX_HOOK_CHARACTERS} (shorten messages or remove locales)`,
    );
  }
  return { code, packageDependencies };
}

/** The exact versions pinned in package.json (and locked by package-lock.json): what the tests ran. */
function installedVersions(): Record<string, string> {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
  return Object.fromEntries(
    RUNTIME_PACKAGES.map((name) => {
      const version = manifest.dependencies[name];
      if (version === undefined || !/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`package.json must pin ${name} to an exact version.`);
      return [name, version];
    }),
  );
}
