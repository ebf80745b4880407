/**
 * How to run this command line from where the operator is, for every hint that names a command
 * ("Next: ... doctor --config ..."). A clone has no `dynamics-hook` on its PATH; inside it
 * `npx dynamics-hook` works (npm runs the project's own bin), outside it npx would look the name
 * up on the registry, so there the bin is named by its path. Only a bin that was itself found on
 * the PATH (`npm link`, a global install) is named bare.
 */
import { basename, delimiter, dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = fileURLToPath(new URL('./dynamics-hook.mjs', import.meta.url));

export interface Whereabouts {
  /** The script node was started with (`process.argv[1]`). */
  readonly script: string | undefined;
  readonly path: string | undefined;
  readonly cwd: string;
  /** The checkout this command line lives in. */
  readonly root?: string;
}

const HERE: Whereabouts = { script: process.argv[1], path: process.env['PATH'], cwd: process.cwd() };

/**
 * `dynamics-hook` when this process was started as a `dynamics-hook` file from a PATH folder other
 * than a `node_modules/.bin` (npx puts that one on the PATH for its child only); else
 * `npx dynamics-hook` inside the checkout, `node <path of the bin>` outside it.
 */
export function invocation(where: Whereabouts = HERE): string {
  const { script, path, cwd, root = PROJECT_ROOT } = where;
  if (script !== undefined && basename(script) === 'dynamics-hook') {
    const folder = resolve(dirname(script));
    const fromPath = (path ?? '').split(delimiter).some((entry) => entry !== '' && resolve(entry) === folder);
    if (fromPath && !folder.endsWith(`${sep}node_modules${sep}.bin`)) return 'dynamics-hook';
  }
  const inside = !relative(root, resolve(cwd)).startsWith('..');
  return inside ? 'npx dynamics-hook' : `node ${resolve(root, relative(PROJECT_ROOT, BIN))}`;
}
