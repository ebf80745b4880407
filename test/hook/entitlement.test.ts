import { describe, expect, it } from 'vitest';
import type { Contact } from '../../src/hook/dataverse.js';
import { entitledOnly, isEntitled } from '../../src/hook/entitlement.js';

const contact = (columns: Record<string, unknown>): Contact => ({ contactid: '00000000-0000-0000-0000-00000000000a', modifiedon: new Date(0), ...columns });

describe('isEntitled', () => {
  it('holds with no rules', () => {
    expect(isEntitled(contact({}), {})).toBe(true);
  });

  it('needs every column to hold its value', () => {
    const rules = { msdyn_portalaccess: true, customertypecode: 1 };
    expect(isEntitled(contact({ msdyn_portalaccess: true, customertypecode: 1 }), rules)).toBe(true);
    expect(isEntitled(contact({ msdyn_portalaccess: true, customertypecode: 2 }), rules)).toBe(false);
    expect(isEntitled(contact({ msdyn_portalaccess: 'true', customertypecode: 1 }), rules)).toBe(false);
  });

  it('accepts any value of a list', () => {
    expect(isEntitled(contact({ customertypecode: 3 }), { customertypecode: [1, 3] })).toBe(true);
    expect(isEntitled(contact({ customertypecode: 2 }), { customertypecode: [1, 3] })).toBe(false);
  });

  it('compares text trimmed and without regard to case, as Dataverse eq does (lookup ids come back lower case)', () => {
    const parent = { _parentcustomerid_value: 'A1B2C3D4-0000-4000-8000-000000000001' };
    expect(isEntitled(contact({ _parentcustomerid_value: 'a1b2c3d4-0000-4000-8000-000000000001' }), parent)).toBe(true);
    expect(isEntitled(contact({ _parentcustomerid_value: 'a1b2c3d4-0000-4000-8000-000000000002' }), parent)).toBe(false);
  });

  it('takes a column the response lacks as null, and a null rule as "empty"', () => {
    expect(isEntitled(contact({}), { fax: null })).toBe(true);
    expect(isEntitled(contact({ fax: null }), { fax: null })).toBe(true);
    expect(isEntitled(contact({ fax: '' }), { fax: null })).toBe(false);
    expect(isEntitled(contact({}), { customertypecode: 1 })).toBe(false);
  });

  it('never takes a number for its text', () => {
    expect(isEntitled(contact({ customertypecode: 1 }), { customertypecode: '1' })).toBe(false);
  });
});

describe('entitledOnly', () => {
  it('keeps the contacts that hold, in order', () => {
    const a = contact({ contactid: 'a', customertypecode: 1 });
    const b = contact({ contactid: 'b', customertypecode: 2 });
    const c = contact({ contactid: 'c', customertypecode: 1 });
    expect(entitledOnly([a, b, c], { customertypecode: 1 })).toEqual([a, c]);
  });
});
