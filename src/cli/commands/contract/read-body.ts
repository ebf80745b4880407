/**
 * The key paths of a hook type's sample `requestBody`: what its argument object holds, never what
 * the values are (a sample may hold a real-looking email or a CRM id, and the run prints paths only).
 */

/** Paths listed at most, and how deep a path goes: a bound on what a hostile answer can make us print. */
export const MAX_KEY_PATHS = 500;
export const MAX_KEY_DEPTH = 16;

export interface BodyPaths {
  /** The sample body as a value, when it is JSON (the API carries it as a string). */
  readonly json: boolean;
  /** `customer.attributes.emails.primaryEmail`; an array is `[]` (`oidc_context.ui_locales[]`). */
  readonly paths: readonly string[];
  /** True when `MAX_KEY_PATHS` or `MAX_KEY_DEPTH` cut the list. */
  readonly truncated: boolean;
}

/** The leaf key paths of `requestBody` (a string holding JSON), in the order the body has them. */
export function readBodyPaths(requestBody: string | undefined): BodyPaths {
  if (requestBody === undefined) return { json: false, paths: [], truncated: false };
  let value: unknown;
  try {
    value = JSON.parse(requestBody);
  } catch {
    return { json: false, paths: [], truncated: false };
  }
  const paths = new Set<string>();
  let truncated = false;
  const walk = (node: unknown, path: string, depth: number): void => {
    if (paths.size >= MAX_KEY_PATHS || depth > MAX_KEY_DEPTH) {
      truncated = true;
      return;
    }
    if (Array.isArray(node)) {
      const before = paths.size;
      for (const item of node) walk(item, `${path}[]`, depth + 1);
      if (paths.size === before && !truncated) paths.add(`${path}[]`);
      return;
    }
    if (typeof node === 'object' && node !== null) {
      const entries = Object.keys(node);
      if (entries.length === 0 && path !== '') paths.add(path);
      for (const key of entries) walk((node as Record<string, unknown>)[key], path === '' ? key : `${path}.${key}`, depth + 1);
      return;
    }
    if (path !== '') paths.add(path);
  };
  walk(value, '', 0);
  return { json: true, paths: [...paths], truncated };
}
