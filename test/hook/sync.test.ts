import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/hook/config.js';
import { columnValues, linkedContactId, newContactData } from '../../src/hook/sync.js';
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
        columns: { numberofchildren: 'profile.children', donotemail: 'profile.noEmail', description: 'profile', address1_city: 'addresses.primary.city' },
      },
    });
    const data = columnValues(withColumns, { profile: { children: 2, noEmail: false }, addresses: { primary: { city: ['London'] } } });
    expect(data).toEqual({ numberofchildren: 2, donotemail: false });
  });
});

describe('newContactData', () => {
  it('puts the email in the first of lookup.emailFields', () => {
    const twoFields = parseConfig({ ...BASE_CONFIG, lookup: { emailFields: ['emailaddress3', 'emailaddress1'] } });
    expect(newContactData(twoFields, 'ada.lovelace@example.com', attributes)).toEqual({ firstname: 'Ada', emailaddress3: 'ada.lovelace@example.com' });
  });
});

describe('linkedContactId', () => {
  it('reads session.dynamics.contactId when it is a GUID, lower-cased', () => {
    expect(linkedContactId({ dynamics: { contactId: '0F8FAD5B-D9CB-469F-A165-70867728950E' } })).toBe('0f8fad5b-d9cb-469f-a165-70867728950e');
  });

  it.each([
    [{}],
    [{ dynamics: null }],
    [{ dynamics: ['x'] }],
    [{ dynamics: { contactId: 42 } }],
    [{ dynamics: { contactId: '0f8fad5b-d9cb-469f-a165-70867728950e)/x' } }],
    [{ dynamics: { contactId: '{0f8fad5b-d9cb-469f-a165-70867728950e}' } }],
  ])('ignores anything else: %j', (session) => {
    expect(linkedContactId(session)).toBeUndefined();
  });
});
