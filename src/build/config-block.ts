/**
 * The config block at the top of a built hook: a JavaScript object literal with a comment on each
 * setting, so the pasted file explains itself.
 */
import { configSchema } from '../hook/config.js';
import { configKeysOf } from '../hook/config-keys.js';
import type { HookKind } from './artifact.js';
import { configHash, type Provenance } from './provenance.js';

/**
 * The comment above each key: its description in the schema (the one place keys are described),
 * with the allowed values of an enum.
 */
const COMMENTS: ReadonlyMap<string, string> = new Map(
  configKeysOf(configSchema).flatMap(({ path, description, options }) => {
    const text = [description, options?.join(' | ')].filter((part) => part !== undefined).join(': ');
    return text === '' ? [] : [[path, text] as const];
  }),
);

/** What an invalid HOOK_CONFIG means for each kind, in the file's opening comment. */
const IF_INVALID: Record<HookKind, string> = {
  'pre-registration': 'every registration gets the generic "unavailable" message',
  'pre-external-registration': 'every social sign-up gets the generic "unavailable" message',
  'post-identification': 'every sign-in gets the generic "unavailable" message',
  'post-registration': 'no registration is synced (each one is still completed)',
  'post-account-update': 'no account update reaches Dataverse (each is still completed)',
  'post-account-deletion': 'no contact is deactivated (each deletion is still completed)',
};

/**
 * The file's opening comment and `const HOOK_CONFIG = {...}`. The `Build:` line says which build
 * this is (see provenance.ts); `config` is the hash of HOOK_CONFIG as built, so an edit made in the
 * console shows as a mismatch with the file kept from the build.
 */
export function renderConfigBlock(kind: HookKind, config: unknown, packageDependencies: Record<string, string>, provenance: Provenance): string {
  const header = [
    "'use strict';",
    '/*',
    ` * Strivacity ${kind} hook: Microsoft Dynamics 365 (Dataverse contacts).`,
    ` * Build: version ${provenance.version}, commit ${provenance.commit}, config ${configHash(config)}`,
    ' *',
    ' * Hook settings > Dependencies (packageDependencies):',
    ...Object.entries(packageDependencies).map(([name, version]) => ` *   ${name}: ${version}`),
    ' *',
    ' * Secrets are not in this file: create the variables named below (clientSecretVariable or',
    ' * privateKeyVariable) as secrets in the hook settings. HOOK_CONFIG is validated when the hook',
    ` * loads; if it is invalid, ${IF_INVALID[kind]} and the`,
    ' * log names the wrong keys.',
    ' */',
  ];
  return `${header.join('\n')}\nconst HOOK_CONFIG = ${renderValue(config, '', 0)};\n`;
}

function renderValue(value: unknown, path: string, depth: number): string {
  const indent = '  '.repeat(depth + 1);
  const closing = '  '.repeat(depth);
  if (Array.isArray(value)) return JSON.stringify(value);
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  const lines = entries.map(([key, child], index) => {
    const childPath = path === '' ? key : `${path}.${key}`;
    const comma = index < entries.length - 1 ? ',' : '';
    const comment = COMMENTS.get(childPath);
    const rendered = `${indent}${JSON.stringify(key)}: ${renderValue(child, childPath, depth + 1)}${comma}`;
    return comment === undefined ? rendered : `${indent}// ${comment}\n${rendered}`;
  });
  return `{\n${lines.join('\n')}\n${closing}}`;
}
