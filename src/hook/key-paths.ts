/**
 * The shape of a payload as dotted key paths, never its values: what a hook logs when the arguments
 * do not look as assumed (`contract_mismatch`), so that an administrator can see where Strivacity
 * put the email without the log holding one.
 *
 * A key is data too (an object keyed by email address would put the address in the path), so only
 * keys that look like identifiers are written; any other key shows as `?`. Arrays show as `[]`,
 * with the union of their elements' keys. The walk is bounded in depth and in paths, and a getter
 * that throws leaves its key as a leaf.
 */

/** A key written as is: what Strivacity's documented arguments use (camelCase, snake_case). */
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export const MAX_KEY_PATH_DEPTH = 6;
export const MAX_KEY_PATHS = 100;

/**
 * The leaf key paths of `value` (an empty object or array is a leaf too), sorted, at most
 * `MAX_KEY_PATHS`; the last entry is `…` when some were left out.
 */
export function keyPathsOf(value: unknown): string[] {
  const paths = new Set<string>();
  let truncated = false;
  const add = (path: string) => {
    if (paths.size < MAX_KEY_PATHS) paths.add(path);
    else if (!paths.has(path)) truncated = true;
  };
  const walk = (node: unknown, path: string, depth: number): void => {
    if (typeof node !== 'object' || node === null) {
      if (path !== '') add(path);
      return;
    }
    if (depth >= MAX_KEY_PATH_DEPTH) return add(path === '' ? '…' : `${path}.…`);
    const children = childrenOf(node, path);
    if (children.length === 0) {
      if (path !== '') add(path);
      return;
    }
    for (const [childPath, child] of children) walk(child, childPath, depth + 1);
  };
  walk(value, '', 0);
  const sorted = [...paths].sort();
  return truncated ? [...sorted, '…'] : sorted;
}

/** The children to walk, each with its path; a bounded number (a payload may hold a huge list). */
function childrenOf(node: object, path: string): Array<[string, unknown]> {
  try {
    if (Array.isArray(node)) return node.slice(0, MAX_KEY_PATHS).map((item) => [`${path}[]`, item]);
    return Object.keys(node)
      .slice(0, MAX_KEY_PATHS)
      .map((key) => {
        const segment = PLAIN_KEY.test(key) ? key : '?';
        return [path === '' ? segment : `${path}.${segment}`, readKey(node, key)];
      });
  } catch {
    // A proxy whose keys cannot be listed is a leaf.
    return [];
  }
}

function readKey(node: object, key: string): unknown {
  try {
    return (node as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}
