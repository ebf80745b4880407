/**
 * Config errors in plain words. Each bad key is named by its path, with what is wrong and, for an
 * unknown key, the nearest known one. Values are never repeated: a secret pasted into the wrong key
 * must not reach a log (only names the schema knows, and the config's own key names, appear).
 */
import type { z } from 'zod';
import { closestName } from './closest-name.js';
import { objectKeysAt } from './config-keys.js';

type RawIssue = z.core.$ZodRawIssue;
type Issue = z.core.$ZodIssue;

/** What each JSON type is called in a message. */
const NOUNS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  record: 'an object',
  array: 'a list',
};

/**
 * zod's per-parse error map: a plain message for zod's own checks. Messages written in the schema
 * (`must be a GUID`, ...) take precedence over this map, so they are kept as they are.
 */
export function plainMessage(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type': {
      const expected = NOUNS[issue.expected] ?? issue.expected;
      if (issue.input === undefined) return `missing (expected ${expected})`;
      // zod reports `int` only for a number with a fraction: any other kind of value gets `number`.
      if (issue.expected === 'int') return 'must be a whole number';
      return `must be ${expected}, not ${kindOf(issue.input)}`;
    }
    case 'too_small':
      return bound('at least', issue.origin, issue.minimum);
    case 'too_big':
      return bound('at most', issue.origin, issue.maximum);
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
  }
  return undefined;
}

/** `path: what is wrong` for each issue, joined with `; `. */
export function describeIssues(issues: readonly Issue[], schema: z.core.$ZodType): string {
  return issues.flatMap((issue) => describeIssue(issue, schema)).join('; ');
}

function describeIssue(issue: Issue, schema: z.core.$ZodType): string[] {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const known = objectKeysAt(schema, issue.path);
    return issue.keys.map((key) => {
      const suggestion = closestName(key, known);
      const where = path === '' ? key : `${path}.${key}`;
      return suggestion === undefined ? `${where}: unknown key` : `${where}: unknown key, did you mean \`${suggestion}\`?`;
    });
  }
  // A bad record key's own message sits in the nested issues.
  if (issue.code === 'invalid_key') return [`${path}: ${issue.issues.map((nested) => nested.message).join(', ')}`];
  return [`${path || '(root)'}: ${issue.message}`];
}

function bound(word: string, origin: string, limit: number | bigint): string {
  if (origin === 'string') return Number(limit) === 1 && word === 'at least' ? 'must not be empty' : `must be ${word} ${limit} characters`;
  if (origin === 'array' || origin === 'set') return `must list ${word} ${limit} item${Number(limit) === 1 ? '' : 's'}`;
  return `must be ${word} ${limit}`;
}

/** The JSON kind of a value, never the value itself. */
function kindOf(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  return NOUNS[typeof input] ?? typeof input;
}
