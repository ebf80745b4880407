/**
 * `deletion.setColumns`' value language (src/hook/stamp.ts): what the config accepts, and what each
 * value becomes in the deactivating PATCH.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/hook/config.js';
import { stampedColumns } from '../../src/hook/stamp.js';
import { BASE_CONFIG } from '../support/helpers.js';

const AT = Date.parse('2026-12-03T23:59:58.250Z');

function issuesOf(deletion: unknown): string {
  try {
    parseConfig({ ...BASE_CONFIG, deletion });
    return '';
  } catch (error) {
    return String((error as { diagnostic?: string }).diagnostic);
  }
}

describe('stampedColumns', () => {
  it('turns $now into the run time in UTC, $today into its date, and $$ into one literal $; other values pass unchanged', () => {
    expect(stampedColumns({ a: '$now', b: '$today', c: '$$now', d: 'closed', e: 3, f: false, g: null }, AT)).toStrictEqual({
      a: '2026-12-03T23:59:58.250Z',
      b: '2026-12-03',
      c: '$now',
      d: 'closed',
      e: 3,
      f: false,
      g: null,
    });
  });
});

describe('deletion in the config', () => {
  it('accepts the tokens, literals and null', () => {
    expect(
      issuesOf({ setColumns: { new_deletedon: '$now', new_day: '$today', new_tag: '$$x', new_note: 'erased', new_flag: true, new_n: 1, new_x: null } }),
    ).toBe('');
  });

  it.each([
    [{ setColumns: { new_deletedon: '$Now' } }, 'deletion.setColumns.new_deletedon: use $now, $today, or $$ for a literal $'],
    [{ setColumns: { statecode: 2 } }, 'statecode, statuscode and contactid are set by the action'],
    [{ setColumns: { new_note: 'a --batchresponse_ b' } }, 'must not contain --batchresponse_'],
    [{ action: 'none', setColumns: { new_deletedon: '$now' } }, 'setColumns needs action deactivate'],
    [{ action: 'delete' }, 'deletion.action'],
  ])('refuses %j, naming the key and never a value', (deletion, expected) => {
    const issues = issuesOf(deletion);
    expect(issues).toContain(expected);
    expect(issues).not.toContain('batchresponse_ b');
  });
});
