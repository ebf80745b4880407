/**
 * The config's JSON Schema, generated from the zod schema (zod 4 `z.toJSONSchema`) so that editors
 * complete and check a config file (`"$schema": "<path to hook.config.schema.json>"`). Refinements
 * that JSON Schema cannot express (exactly one credential, known attribute paths) are left to the
 * build and `doctor`, which run the zod schema itself.
 */
import { z } from 'zod';
import { configSchema } from '../hook/config.js';

/** Where the generated file is committed; `npm run schema` rewrites it. */
export const JSON_SCHEMA_FILE = new URL('./hook.config.schema.json', import.meta.url);

/** The schema of the file an administrator writes: the input side (defaults optional, no transforms). */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' });
  return { ...schema, title: 'Strivacity Dynamics 365 hook config' };
}

/** The file's text: stable key order from the schema, two-space indent, final newline. */
export function renderJsonSchema(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
