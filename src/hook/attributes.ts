/**
 * Strivacity attributes are nested objects addressed by dotted paths (`name.givenName`). Writes are
 * copy-on-write along the path, so the object the runtime passed in is never mutated.
 */
import { asObject, type Attributes } from './input.js';

export function getPath(root: Attributes, path: string): unknown {
  let node: unknown = root;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

export function setPath(root: Attributes, path: string, value: unknown): Attributes {
  const [head, ...rest] = path.split('.') as [string, ...string[]];
  if (rest.length === 0) return { ...root, [head]: value };
  const child = root[head];
  const childObject = asObject(child) ?? {};
  return { ...root, [head]: setPath(childObject, rest.join('.'), value) };
}

/** `root` without the value at `path` (the same object when there is none); copy-on-write like `setPath`. */
export function removePath(root: Attributes, path: string): Attributes {
  const [head, ...rest] = path.split('.') as [string, ...string[]];
  if (!Object.hasOwn(root, head)) return root;
  if (rest.length === 0) return Object.fromEntries(Object.entries(root).filter(([key]) => key !== head));
  const child = asObject(root[head]);
  if (child === undefined) return root;
  const without = removePath(child, rest.join('.'));
  return without === child ? root : { ...root, [head]: without };
}

/** Empty means nothing worth keeping: absent, null, or a blank string. */
export function isEmptyValue(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** A Dataverse column value as a Strivacity attribute value, or `undefined` when there is none. */
export function toAttributeValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  return undefined;
}
