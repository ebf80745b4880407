/**
 * Reading the config schema: the keys of an object at a path ("did you mean") and the description
 * of every key path (config block, JSON Schema, README check), through zod's wrappers.
 */
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { configKeysOf, objectKeysAt } from '../../src/hook/config-keys.js';
import { configSchema } from '../../src/hook/config.js';

const schema = z.strictObject({
  url: z.string().describe('The origin.'),
  policy: z
    .strictObject({ onError: z.enum(['allow', 'deny']).default('deny').describe('On failure.'), timeoutMs: z.number().optional() })
    .optional()
    .describe('What to do.'),
  messages: z.record(z.string(), z.strictObject({ notFound: z.string() })).default({}),
  // A transform wraps the described schema in a pipe: the description sits inside it.
  enrich: z
    .strictObject({ givenName: z.string() })
    .describe('Columns to copy.')
    .transform((value) => value),
});

describe('objectKeysAt', () => {
  it('lists the keys of the root and of a nested object, through optional and default wrappers', () => {
    expect(objectKeysAt(schema, [])).toEqual(['url', 'policy', 'messages', 'enrich']);
    expect(objectKeysAt(schema, ['policy'])).toEqual(['onError', 'timeoutMs']);
  });

  it('looks through a transform (a pipe) to the object it wraps', () => {
    expect(objectKeysAt(schema, ['enrich'])).toEqual(['givenName']);
  });

  it('skips a record key: every value of messages has the same keys', () => {
    expect(objectKeysAt(schema, ['messages', 'de'])).toEqual(['notFound']);
    expect(objectKeysAt(schema, ['messages', 'fr-CA'])).toEqual(['notFound']);
  });

  it('has no keys for a path that is not in the schema, however deep, or that ends at a value', () => {
    expect(objectKeysAt(schema, ['nope'])).toEqual([]);
    expect(objectKeysAt(schema, ['nope', 'deeper'])).toEqual([]);
    expect(objectKeysAt(schema, ['policy', 'retries', 'count'])).toEqual([]);
    expect(objectKeysAt(schema, ['url'])).toEqual([]);
    expect(objectKeysAt(schema, ['url', 'x'])).toEqual([]);
  });

  it('finds the keys of the real config sections', () => {
    expect(objectKeysAt(configSchema, ['policy'])).toContain('onError');
    expect(objectKeysAt(configSchema, ['messages', 'de'])).toContain('notFound');
  });
});

describe('configKeysOf', () => {
  it('lists every key path, objects before their children, with its description and enum options', () => {
    expect(configKeysOf(schema)).toStrictEqual([
      { path: 'url', description: 'The origin.' },
      { path: 'policy', description: 'What to do.' },
      { path: 'policy.onError', description: 'On failure.', options: ['allow', 'deny'] },
      { path: 'policy.timeoutMs', description: undefined },
      { path: 'messages', description: undefined },
      { path: 'enrich', description: 'Columns to copy.' },
      { path: 'enrich.givenName', description: undefined },
    ]);
  });
});
