/**
 * The config's JSON Schema, generated from the zod schema (zod 4 `z.toJSONSchema`) so that editors
 * complete and check a config file (`"$schema": "<path to hook.config.schema.json>"`). What zod
 * checks in code (`superRefine`, `refine`) has no JSON Schema of its own; `REFINEMENTS` writes the
 * same rules as patterns, enums and `oneOf`, so an editor flags what `build` refuses. A test feeds
 * the same bad configs to both (test/build/json-schema.test.ts).
 */
import { z } from 'zod';
import { CUSTOM_ATTRIBUTE_PREFIX, KNOWN_ATTRIBUTE_PATHS } from '../hook/attribute-paths.js';
import { configSchema } from '../hook/config.js';

/** Where the generated file is committed; `npm run schema` rewrites it. */
export const JSON_SCHEMA_FILE = new URL('./hook.config.schema.json', import.meta.url);

type JsonSchema = Record<string, unknown>;

/** An attribute path, as `attributePathProblem` accepts it: a known one, or `custom.<name>`. */
const ATTRIBUTE_PATH: JsonSchema = {
  anyOf: [{ enum: [...KNOWN_ATTRIBUTE_PATHS] }, { pattern: `^${CUSTOM_ATTRIBUTE_PREFIX.replace('.', '\\.')}[A-Za-z][A-Za-z0-9]*(\\.[A-Za-z][A-Za-z0-9]*)*$` }],
};

/**
 * Each rule zod checks in code, as JSON Schema, by the path of the object it applies to. The URL
 * pattern is `dataverseUrlProblem` in config.ts: https, no user name or password, the origin only
 * (a trailing `/` is the origin too).
 */
const REFINEMENTS: ReadonlyArray<[path: readonly string[], extra: JsonSchema]> = [
  [['dataverse'], { anyOf: [{ required: ['url'] }, { required: ['organization'] }] }],
  [['dataverse', 'url'], { pattern: '^[hH][tT][tT][pP][sS]://[^\\s/?#@\\\\]+/?$' }],
  [['auth'], { oneOf: [{ required: ['clientSecretVariable'] }, { required: ['clientCertificate'] }] }],
  [['lookup', 'emailFields'], { uniqueItems: true }],
  [['enrich'], { propertyNames: { type: 'string', ...ATTRIBUTE_PATH } }],
  [['sync', 'columns'], { additionalProperties: { type: 'string', ...ATTRIBUTE_PATH } }],
];

function propertyAt(schema: JsonSchema, path: readonly string[]): JsonSchema {
  let node = schema;
  for (const key of path) {
    const next = (node['properties'] as Record<string, JsonSchema> | undefined)?.[key];
    // The zod schema lost a key this file refines: fail `npm run schema` and the tests, loudly.
    if (next === undefined) throw new Error(`json-schema.ts refines ${path.join('.')}, which the config schema no longer has.`);
    node = next;
  }
  return node;
}

/** The schema of the file an administrator writes: the input side (defaults optional, no transforms). */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' }) as JsonSchema;
  for (const [path, extra] of REFINEMENTS) Object.assign(propertyAt(schema, path), extra);
  return { ...schema, title: 'Strivacity Dynamics 365 hook config' };
}

/** The file's text: stable key order from the schema, two-space indent, final newline. */
export function renderJsonSchema(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
