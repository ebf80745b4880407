/**
 * `dynamics-hook build --config <file> [--hook pre-registration|post-registration|post-identification] [--out <file>]`:
 * writes the paste-able hook and its `packageDependencies` next to it.
 */
import { dirname } from 'node:path';
import type { HookKind } from '../../build/artifact.js';
import { buildHook } from '../../build/build-hook.js';
import { POST_IDENTIFICATION_KIND } from '../../hook/kinds/post-identification/kind.js';
import { parseOptions } from '../args.js';
import { fileError } from '../errors.js';
import { looksLikeFolder, makeFolder, writeTextFile } from '../files.js';
import { readJsonFile, UsageError } from '../usage.js';
import { parseConfig } from '../../hook/config.js';
import { unknownColumnWarnings } from '../recorded-columns.js';

/** The kinds `try` and `payloads` know; `build` knows every kind. */
const REGISTRATION_KINDS: readonly HookKind[] = ['pre-registration', 'post-registration'];
export const BUILD_KINDS: readonly HookKind[] = [...REGISTRATION_KINDS, POST_IDENTIFICATION_KIND.name];

/** Parses `--hook`; both `try`, `payloads` and `build` take it. */
export function hookKindOf(value: string | undefined, kinds: readonly HookKind[] = REGISTRATION_KINDS): HookKind {
  if (value === undefined) return 'pre-registration';
  const kind = kinds.find((known) => known === value);
  if (kind !== undefined) return kind;
  const names = kinds.slice(0, -1).join(', ') + ` or ${kinds.at(-1) ?? ''}`;
  throw new UsageError(`--hook must be ${names}, not '${value}'.`);
}

export async function buildCommand(argv: string[]): Promise<{ exitCode: number }> {
  const values = parseOptions('build', { config: { type: 'string' }, out: { type: 'string' }, hook: { type: 'string' } }, argv);
  if (values.config === undefined) throw new UsageError('build needs --config <file>.');
  const kind = hookKindOf(values.hook, BUILD_KINDS);
  const out = values.out ?? `dist/${kind}.hook.js`;
  const fileHint = `Give a file path, e.g. --out ${out.replace(/[/\\]+$/, '')}/${kind}.hook.js.`;
  // Checked before building: a folder would otherwise fail only at the write, as EISDIR.
  if (looksLikeFolder(out)) throw fileError('write', out, { code: 'EISDIR' }, fileHint);
  const rawConfig = readJsonFile(values.config);
  const built = await buildHook(kind, rawConfig);
  const dependenciesFile = out.replace(/\.js$/, '') + '.dependencies.json';
  makeFolder(dirname(out));
  writeTextFile(out, built.code, { hint: fileHint });
  writeTextFile(dependenciesFile, `${JSON.stringify(built.packageDependencies, null, 2)}\n`);
  console.log(`Wrote ${out} (${built.code.length.toLocaleString('en')} characters; the console accepts 256,000).`);
  console.log(`Hook settings > Dependencies (also in ${dependenciesFile}):`);
  console.log(JSON.stringify(built.packageDependencies, null, 2));
  for (const warning of unknownColumnWarnings(parseConfig(rawConfig))) console.error(warning);
  return { exitCode: 0 };
}
