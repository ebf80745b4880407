/**
 * Reading a hook's arguments by configured dotted paths, for the kinds whose arguments Strivacity
 * does not publish (the sign-in gate's and the social sign-up's email, the account hooks' email,
 * link and attributes). The
 * payload is not trusted: a getter or proxy that throws leaves that path unread, never the answer
 * unmade, and only the email is parsed (with zod).
 */
import { getPath } from './attributes.js';
import { asObject, emailSchema } from './input.js';

/** The value at `path`, or `undefined` when it is absent or cannot be read. */
export function readPath(root: Record<string, unknown>, path: string): unknown {
  try {
    return getPath(root, path);
  } catch {
    return undefined;
  }
}

/** What the configured paths hold: the first valid email (trimmed, NFC), and whether any held text at all. */
export interface EmailAtPaths {
  readonly email?: string;
  /** Some path held a non-blank string that is not a usable email (a phone number, a typo, an injection attempt). */
  readonly unusableText: boolean;
}

/** Reads `paths` in order; the first that holds a valid email wins. */
export function emailAtPaths(root: Record<string, unknown>, paths: readonly string[]): EmailAtPaths {
  let unusableText = false;
  for (const path of paths) {
    const value = readPath(root, path);
    const parsed = emailSchema.safeParse(value);
    if (parsed.success) return { email: parsed.data, unusableText };
    if (typeof value === 'string' && value.trim() !== '') unusableText = true;
  }
  return { unusableText };
}

/** The first valid email (trimmed, NFC) found at `paths`, in order. */
export function firstEmail(root: Record<string, unknown>, paths: readonly string[]): string | undefined {
  for (const path of paths) {
    const parsed = emailSchema.safeParse(readPath(root, path));
    if (parsed.success) return parsed.data;
  }
  return undefined;
}

/** The objects found at `paths`, in order (absent paths and non-objects left out). */
export function objectsAt(root: Record<string, unknown>, paths: readonly string[]): Record<string, unknown>[] {
  return paths.flatMap((path) => {
    const found = asObject(readPath(root, path));
    return found === undefined ? [] : [found];
  });
}

/** A key shown as it is in a key path; anything else (an email used as a key, say) is shown as `*`. */
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
const MAX_DEPTH = 5;
const MAX_PATHS = 60;

/**
 * The key paths of `args`, leaves only (`customer.attributes.emails.primaryEmail`, a list as
 * `groups[]`), for the log when the configured paths found nothing: which keys the runtime really
 * passes is the first thing an administrator needs. Never a value; keys that are not plain
 * identifiers are masked, depth and count are bounded.
 */
export function argumentKeyPaths(args: unknown): string[] {
  const paths = new Set<string>();
  const visit = (node: unknown, prefix: string, depth: number): void => {
    if (paths.size >= MAX_PATHS) return;
    let object: Record<string, unknown> | undefined;
    try {
      object = asObject(node);
    } catch {
      object = undefined; // a revoked proxy: shown as a leaf
    }
    if (object === undefined || depth >= MAX_DEPTH) {
      if (prefix !== '') paths.add(Array.isArray(node) ? `${prefix}[]` : prefix);
      return;
    }
    let keys: string[];
    try {
      keys = Object.keys(object);
    } catch {
      keys = [];
    }
    if (keys.length === 0 && prefix !== '') paths.add(prefix);
    for (const key of keys) {
      const shown = PLAIN_KEY.test(key) ? key : '*';
      visit(readPath(object, key), prefix === '' ? shown : `${prefix}.${shown}`, depth + 1);
    }
  };
  visit(args, '', 0);
  return [...paths];
}
