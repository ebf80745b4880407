/**
 * `dynamics-hook build --config <file> [--hook pre-registration|post-registration] [--out <file>]`:
 * writes the paste-able hook and its `packageDependencies` next to it.
 */
import { dirname } from 'node:path';
import type { HookKind } from '../../build/artifact.js';
import { buildHook } from '../../build/build-hook.js';
import { parseOptions } from '../args.js';
import { fileError } from '../errors.js';
import { looksLikeFolder, makeFolder, writeTextFile } from '../files.js';
import { readJsonFile, UsageError } from '../usage.js';
import { parseConfig } from '../../hook/config.js';
import { unknownColumnWarnings } from '../recorded-columns.js';

/** Parses `--hook`; both `try`, `payloads` and `build` take it. */
export function hookKindOf(value: string | undefined): HookKind {
  if (value === undefined || value === 'pre-registration' || value === 'post-registration') return value ?? 'pre-registration';
  throw new UsageError(`--hook must be pre-registration or post-registration, not '${value}'.`);
}

export async function buildCommand(argv: string[]): Promise<{ exitCode: number }> {
  const values = parseOptions('build', { config: { type: 'string' }, out: { type: 'string' }, hook: { type: 'string' } }, argv);
  if (values.config === undefined) throw new UsageError('build needs --config <file>.');
  const kind = hookKindOf(values.hook);
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
