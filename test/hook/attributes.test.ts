import { describe, expect, it } from 'vitest';
import { getPath, isEmptyValue, setPath, toAttributeValue } from '../../src/hook/attributes.js';

describe('getPath', () => {
  const attributes = { name: { givenName: 'Ada' }, emails: ['x'], note: 'n' };

  it('reads a nested value by dotted path', () => {
    expect(getPath(attributes, 'name.givenName')).toBe('Ada');
  });

  it('reads a top-level value', () => {
    expect(getPath(attributes, 'note')).toBe('n');
  });

  it('is undefined for a missing branch', () => {
    expect(getPath(attributes, 'addresses.primary.city')).toBeUndefined();
  });

  it('is undefined when the path runs through a string, null or an array', () => {
    expect(getPath(attributes, 'note.length')).toBeUndefined();
    expect(getPath({ name: null }, 'name.givenName')).toBeUndefined();
    expect(getPath(attributes, 'emails.0')).toBeUndefined();
  });
});

describe('setPath', () => {
  it('writes a nested value, creating the missing branches', () => {
    expect(setPath({}, 'addresses.primary.city', 'Berlin')).toEqual({ addresses: { primary: { city: 'Berlin' } } });
  });

  it('keeps the siblings along the path', () => {
    const result = setPath({ name: { givenName: 'Ada' }, note: 'n' }, 'name.familyName', 'Lovelace');
    expect(result).toEqual({ name: { givenName: 'Ada', familyName: 'Lovelace' }, note: 'n' });
  });

  it('replaces a non-object in the way with an object', () => {
    expect(setPath({ name: 'Ada' }, 'name.givenName', 'Ada')).toEqual({ name: { givenName: 'Ada' } });
    expect(setPath({ name: ['Ada'] }, 'name.givenName', 'Ada')).toEqual({ name: { givenName: 'Ada' } });
  });

  it('never mutates the object it was given, at any depth', () => {
    const original = { name: { givenName: 'Ada' }, phoneNumbers: { primaryPhoneNumber: '' } };
    const snapshot = structuredClone(original);
    const result = setPath(original, 'name.familyName', 'Lovelace');
    expect(original).toEqual(snapshot);
    expect(result.name).not.toBe(original.name);
    expect(result['phoneNumbers']).toBe(original.phoneNumbers); // untouched branches are shared, not copied
  });
});

describe('isEmptyValue', () => {
  it.each([
    ['undefined', undefined],
    ['null', null],
    ['an empty string', ''],
    ['a blank string', ' \t '],
  ])('treats %s as empty', (_label, value) => {
    expect(isEmptyValue(value)).toBe(true);
  });

  it.each([
    ['a string', 'Ada'],
    ['zero', 0],
    ['false', false],
    ['an empty object', {}],
  ])('treats %s as a value worth keeping', (_label, value) => {
    expect(isEmptyValue(value)).toBe(false);
  });
});

describe('toAttributeValue', () => {
  it('trims strings', () => {
    expect(toAttributeValue('  Ada ')).toBe('Ada');
  });

  it('has no value for a blank string, null, undefined, an object or an array', () => {
    for (const value of ['', '   ', null, undefined, { a: 1 }, ['a']]) expect(toAttributeValue(value)).toBeUndefined();
  });

  it('turns numbers and booleans into strings', () => {
    expect(toAttributeValue(42)).toBe('42');
    expect(toAttributeValue(0)).toBe('0');
    expect(toAttributeValue(false)).toBe('false');
  });

  it('turns dates into ISO strings', () => {
    expect(toAttributeValue(new Date('2024-02-03T04:05:06Z'))).toBe('2024-02-03T04:05:06.000Z');
  });
});
