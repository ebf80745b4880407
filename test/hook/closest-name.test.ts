/**
 * "Did you mean": the suggestion printed for a mistyped config key, attribute path or command.
 * Within two edits, the nearest wins, and a tie goes to the first candidate (the schema's order).
 */
import { describe, expect, it } from 'vitest';
import { closestName } from '../../src/hook/closest-name.js';

describe('closestName', () => {
  it('suggests a name one edit away (a swap, a missing or an extra letter)', () => {
    expect(closestName('onErorr', ['notFound', 'onError', 'invalidEmail'])).toBe('onError');
    expect(closestName('enrichOverwite', ['enrich', 'enrichOverwrite'])).toBe('enrichOverwrite');
    expect(closestName('doctorr', ['doctor', 'try'])).toBe('doctor');
  });

  it('suggests a name two edits away, also when it is two letters longer or shorter', () => {
    expect(closestName('kitten', ['sittin'])).toBe('sittin');
    expect(closestName('try', ['tryout'])).toBeUndefined();
    expect(closestName('log', ['logs2'])).toBe('logs2');
    expect(closestName('probes', ['probe'])).toBe('probe');
    expect(closestName('abcd', ['ab'])).toBe('ab');
  });

  it('suggests nothing three edits away', () => {
    expect(closestName('kitten', ['sitting'])).toBeUndefined();
    expect(closestName('retries', ['records'])).toBeUndefined();
    expect(closestName('abc', ['xyz'])).toBeUndefined();
    expect(closestName('', ['abc'])).toBeUndefined();
    expect(closestName('x', ['abc'])).toBeUndefined();
    expect(closestName('abc', ['x'])).toBeUndefined();
  });

  it('counts every letter of both names, the last ones included', () => {
    expect(closestName('abcxyz', ['abc'])).toBeUndefined();
    expect(closestName('abc', ['abcxyz'])).toBeUndefined();
    expect(closestName('xyzabc', ['abc'])).toBeUndefined();
    expect(closestName('abcd', ['abxy'])).toBe('abxy');
    expect(closestName('abcd', ['xbcy'])).toBe('xbcy');
  });

  it('prefers the nearest candidate wherever it is in the list', () => {
    expect(closestName('abcd', ['abzz', 'abcx'])).toBe('abcx');
    expect(closestName('abcd', ['abcx', 'abzz'])).toBe('abcx');
  });

  it('breaks a tie by order: the first of two equally near candidates', () => {
    expect(closestName('abcd', ['abcx', 'abcy'])).toBe('abcx');
    expect(closestName('abcd', ['abcy', 'abcx'])).toBe('abcy');
  });

  it('suggests nothing from no candidates, and the name itself when it is a candidate', () => {
    expect(closestName('onError', [])).toBeUndefined();
    expect(closestName('onError', ['onErrors', 'onError'])).toBe('onError');
  });
});
