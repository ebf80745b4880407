/**
 * The layer rule of `.dependency-cruiser.cjs` fails on an upward import: a file planted in
 * src/build/ that imports the command line is reported, and the real tree is not.
 */
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// Ignored by git (.gitignore), removed after the test: never part of the tree that ships.
const PLANTED = 'src/build/planted-upward-import.ts';

function depcruise(path: string): Promise<{ code: number; stdout: string }> {
  return promisify(execFile)(process.execPath, ['node_modules/dependency-cruiser/bin/dependency-cruise.mjs', path, '--config', '.dependency-cruiser.cjs'], {
    cwd: ROOT,
  }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  );
}

afterEach(() => rmSync(`${ROOT}${PLANTED}`, { force: true }));

it('reports src/build/ importing src/cli/, and passes the tree as it is', async () => {
  writeFileSync(`${ROOT}${PLANTED}`, "import { runCli } from '../cli/main.js';\nexport const planted = runCli;\n");
  const planted = await depcruise(PLANTED);
  expect(planted.code).not.toBe(0);
  expect(planted.stdout).toContain(`layers-build-points-down: ${PLANTED} → src/cli/main.ts`);
  rmSync(`${ROOT}${PLANTED}`);
  expect((await depcruise('src')).code).toBe(0);
}, 120_000);
