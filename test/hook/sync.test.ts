import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/hook/config.js';
import { columnValues, newContactData } from '../../src/hook/sync.js';
import type { SkippedValue } from '../../src/hook/values.js';
import { BASE_CONFIG } from '../support/helpers.js';

const config = parseConfig(BASE_CONFIG);
const attributes = {
  emails: { primaryEmail: 'ada.lovelace@example.com' },
  name: { givenName: '  Ada ', familyName: '' },
  phoneNumbers: { primaryPhoneNumber: null },
};

describe('columnValues', () => {
  it('maps enrich reversed when sync.columns is absent, trimming values and leaving empty ones out', () => {
    expect(columnValues(config, attributes)).toEqual({ firstname: 'Ada' });
  });

  it('uses sync.columns when set, keeps numbers and booleans, and drops objects and lists', () => {
    const withColumns = parseConfig({
      ...BASE_CONFIG,
      sync: {
        columns: {
          numberofchildren: 'custom.profile.children',
          donotemail: 'custom.profile.noEmail',
          description: 'custom.profile',
          address1_city: 'addresses.primary.city',
        },
      },
    });
    const data = columnValues(withColumns, { custom: { profile: { children: 2, noEmail: false } }, addresses: { primary: { city: ['London'] } } });
    expect(data).toEqual({ numberofchildren: 2, donotemail: false });
  });

  it('leaves out a number that is not finite (JSON has no Infinity or NaN for Dataverse to take)', () => {
    const withColumns = parseConfig({ ...BASE_CONFIG, sync: { columns: { numberofchildren: 'custom.children', annualincome: 'custom.income' } } });
    expect(columnValues(withColumns, { custom: { children: Number.POSITIVE_INFINITY, income: Number.NaN } })).toEqual({});
  });

  it('leaves out, naming the column, a text longer than policy.maxValueLength or one holding the batch marker', () => {
    const capped = parseConfig({ ...BASE_CONFIG, policy: { maxValueLength: 5 } });
    const skipped: SkippedValue[] = [];
    const data = columnValues(
      capped,
      { name: { givenName: ' Augusta ', familyName: 'x--batchresponse_' }, phoneNumbers: { primaryPhoneNumber: '12345' } },
      skipped,
    );
    expect(data).toEqual({ mobilephone: '12345' });
    expect(skipped).toEqual([
      { column: 'firstname', problem: 'too_long' },
      { column: 'lastname', problem: 'too_long' },
    ]);
    expect(columnValues(config, { name: { familyName: 'Ann --batchresponse_ x' } }, skipped)).toEqual({});
    expect(skipped.at(-1)).toEqual({ column: 'lastname', problem: 'batch_marker' });
  });
});

describe('newContactData', () => {
  it('puts the email in the first of lookup.emailFields', () => {
    const twoFields = parseConfig({ ...BASE_CONFIG, lookup: { emailFields: ['emailaddress3', 'emailaddress1'] } });
    expect(newContactData(twoFields, 'ada.lovelace@example.com', attributes)).toEqual({ firstname: 'Ada', emailaddress3: 'ada.lovelace@example.com' });
  });
});
