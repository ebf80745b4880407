/**
 * Reading the config schema itself: which keys an object at a path has (for "did you mean") and
 * the `.describe()` text of every key path (for the config block, the JSON Schema and the README
 * check). Works on zod's definitions, so it takes the schema as an argument and imports no config.
 */
import type { z } from 'zod';

type Schema = z.core.$ZodType;

/** A key path and its description, in schema order; records (enrich, messages) are one key. */
export interface ConfigKey {
  readonly path: string;
  readonly description: string | undefined;
  /** The allowed values, for an enum key (`allow`, `showError`, ...). */
  readonly options?: readonly string[];
}

/** Every key path of `schema`, objects before their children. */
export function configKeysOf(schema: Schema): ConfigKey[] {
  const keys: ConfigKey[] = [];
  const visit = (node: Schema, prefix: string): void => {
    for (const [key, child] of Object.entries(shapeOf(node) ?? {})) {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      const options = optionsOf(child);
      keys.push({ path, description: descriptionOf(child), ...(options === undefined ? {} : { options }) });
      visit(child, path);
    }
  };
  visit(schema, '');
  return keys;
}

/** The keys of the object found at `path` (record keys are skipped), or none. */
export function objectKeysAt(schema: Schema, path: readonly PropertyKey[]): string[] {
  let node: Schema | undefined = schema;
  for (const segment of path) {
    if (node === undefined) return [];
    const inner: Schema = unwrap(node);
    const def = inner._zod.def as { type: string; valueType?: Schema };
    node = def.type === 'record' ? def.valueType : shapeOf(inner)?.[String(segment)];
  }
  return node === undefined ? [] : Object.keys(shapeOf(node) ?? {});
}

/** Optional, default, prefault and pipe (a transform) wrap the schema that has the shape. */
function unwrap(node: Schema): Schema {
  // Only a pipe has `in`, only an object a `shape`, only an enum `entries`: each def is read by its own field.
  const def = node._zod.def as { innerType?: Schema; in?: Schema };
  if (def.innerType !== undefined) return unwrap(def.innerType);
  if (def.in !== undefined) return unwrap(def.in);
  return node;
}

function shapeOf(node: Schema): Record<string, Schema> | undefined {
  return (unwrap(node)._zod.def as { shape?: Record<string, Schema> }).shape;
}

function optionsOf(node: Schema): string[] | undefined {
  const { entries } = unwrap(node)._zod.def as { entries?: Record<string, string> };
  return entries === undefined ? undefined : Object.values(entries);
}

/** The outermost description: `.describe()` is called last, on the wrapper. */
function descriptionOf(node: Schema): string | undefined {
  let current: Schema | undefined = node;
  while (current !== undefined) {
    const description = (current as { description?: string }).description;
    if (description !== undefined) return description;
    const def = current._zod.def as { innerType?: Schema; in?: Schema };
    current = def.innerType ?? def.in;
  }
  return undefined;
}
