/**
 * Config keys are described once, in the zod schema (`.describe()`); the JSON Schema is generated
 * from it and committed, and the configuration reference (docs/configuration.md) is checked against it. These tests
 * fail when a key is added without a description, when the committed JSON Schema is stale (run
 * `npm run schema`), or when the reference table misses a key or lists one that no longer exists.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, JSON_SCHEMA_FILE, renderJsonSchema } from '../../src/build/json-schema.js';
import { configSchema } from '../../src/hook/config.js';
import { configKeysOf } from '../../src/hook/config-keys.js';

const KEYS = configKeysOf(configSchema);
/** A key the reference must have a row for: every key without children (records such as enrich count as one). */
const LEAF_PATHS = KEYS.filter(({ path }) => !KEYS.some((other) => other.path.startsWith(`${path}.`))).map(({ path }) => path);

/**
 * The key paths named in the first cell of the rows of the reference's table: rows
 * like "| `policy.timeoutMs` | `2500` | ... |" (a cell may name several, "`auth.tenantId`, `auth.clientId`").
 */
function referenceKeyPaths(reference: string): string[] {
  const firstCells = reference
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => line.split(' | ')[0] ?? '');
  return firstCells.flatMap((cell) => [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? ''));
}

describe('the config key descriptions', () => {
  it('describe every key of the schema', () => {
    expect(KEYS.filter(({ description }) => description === undefined).map(({ path }) => path)).toEqual([]);
    expect(LEAF_PATHS).toEqual(expect.arrayContaining(['policy.onError', 'auth.clientCertificate.privateKeyVariable', 'enrich', 'sync.columns', 'messages']));
  });

  it('stay short, because they are bundled into the pasted hook', () => {
    expect(KEYS.filter(({ description }) => (description ?? '').length > 100).map(({ path }) => path)).toEqual([]);
  });
});

describe('the JSON Schema', () => {
  it('is committed as generated from the zod schema (npm run schema)', () => {
    expect(readFileSync(JSON_SCHEMA_FILE, 'utf8')).toBe(renderJsonSchema());
  });

  it('carries the descriptions, the enum values and the strictness of the zod schema', () => {
    const schema = configJsonSchema() as {
      required: string[];
      additionalProperties: boolean;
      properties: Record<string, { properties: Record<string, { description: string; enum?: string[] }> }>;
    };
    expect(schema.required).toEqual(['dataverse', 'auth']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties['policy']?.properties['onError']).toMatchObject({
      description: 'token or Dataverse failure, timeout, invalid config',
      enum: ['allow', 'showError', 'deny'],
    });
  });
});

describe('the configuration reference table (docs/configuration.md)', () => {
  const named = referenceKeyPaths(readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8'));

  it('has a row for every key path', () => {
    expect(LEAF_PATHS.filter((path) => !named.includes(path))).toEqual([]);
  });

  it('names no key the schema does not have', () => {
    const known = new Set(KEYS.map(({ path }) => path));
    expect(named.filter((path) => !known.has(path))).toEqual([]);
  });

  it('is found by the parser: a table row in the form the reference uses', () => {
    expect(referenceKeyPaths('## Configuration\n\n| Key | Default | Meaning |\n| --- | --- | --- |\n| `policy.timeoutMs` | `2500` | x |\n\n## Next\n')).toEqual(
      ['policy.timeoutMs'],
    );
  });
});
