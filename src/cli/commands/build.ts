/**
 * `dynamics-hook build --config <file> [--hook <kind>] [--out <file>] [--json]`:
 * writes the paste-able hook and its `packageDependencies` next to it.
 */
import { dirname } from 'node:path';
import { buildHook } from '../../build/build-hook.js';
import { type ArgsDef, defineCommand, type ParsedArgs } from '../args.js';
import { required, SHARED_ARGS } from '../shared-args.js';
import { fileError } from '../errors.js';
import { looksLikeFolder, makeFolder, readJsonFile, writeTextFile } from '../files.js';
import { parseConfig } from '../../hook/config.js';
import { unknownColumnWarnings } from '../recorded-columns.js';

const ARGS = {
  config: required(SHARED_ARGS.config),
  hook: SHARED_ARGS.hook,
  out: { type: 'string', valueHint: '<file>', description: 'where to write the hook (default dist/<kind>.hook.js)' },
  json: SHARED_ARGS.json,
} as const satisfies ArgsDef;

export const BUILD_COMMAND = defineCommand({
  name: 'build',
  summary: 'write the paste-able hook and its packageDependencies',
  description: 'Writes the paste-able hook (default dist/<kind>.hook.js) and prints its packageDependencies.',
  args: ARGS,
  run: buildFile,
});

async function buildFile(values: ParsedArgs<typeof ARGS>): Promise<{ exitCode: number }> {
  const kind = values.hook;
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
  if (values.json) {
    console.log(
      JSON.stringify(
        { ok: true, hook: kind, file: out, characters: built.code.length, dependenciesFile, packageDependencies: built.packageDependencies },
        null,
        2,
      ),
    );
  } else {
    console.log(`Wrote ${out} (${built.code.length.toLocaleString('en')} characters; the console accepts 256,000).`);
    console.log(`Hook settings > Dependencies (also in ${dependenciesFile}):`);
    console.log(JSON.stringify(built.packageDependencies, null, 2));
  }
  for (const warning of unknownColumnWarnings(parseConfig(rawConfig))) console.error(warning);
  return { exitCode: 0 };
}
