import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../src/hook/config.js';
import { parseIdentification } from '../../../../src/hook/kinds/post-identification/input.js';

const config = (sections: Record<string, unknown> = {}) =>
  parseConfig({
    dataverse: { url: 'https://contoso.crm4.dynamics.com' },
    auth: { tenantId: '11111111-2222-3333-4444-555555555555', clientId: '66666666-7777-8888-9999-000000000000', clientSecretVariable: 'S' },
    link: { attribute: 'custom.dynamicsContactId' },
    ...sections,
  });

describe('parseIdentification', () => {
  it('reads the email from customer.info.userName first, trimmed, with the session and locales', () => {
    const signIn = parseIdentification(
      { customer: { info: { userName: ' ada@example.com ' } }, session: { journey: 'login' }, oidc_context: { ui_locales: 'de fr' } },
      config(),
    );
    expect(signIn).toEqual({ email: 'ada@example.com', session: { journey: 'login' }, locales: ['de', 'fr'] });
  });

  it('takes the first path that holds a valid email, skipping one that holds a phone number', () => {
    const args = { customer: { info: { userName: '+442079460018', emails: { primaryEmail: 'ada@example.com' } } } };
    expect(parseIdentification(args, config()).email).toBe('ada@example.com');
  });

  it('follows the configured paths only', () => {
    const args = { customer: { info: { userName: 'ada@example.com' }, identifiers: { email: 'grace@example.com' } } };
    expect(parseIdentification(args, config({ login: { emailPaths: ['customer.identifiers.email'] } })).email).toBe('grace@example.com');
  });

  it('has no email when no path holds one, and never throws on a hostile payload', () => {
    const hostile = {
      get customer(): never {
        throw new Error('boom');
      },
    };
    expect(parseIdentification(hostile, config())).toEqual({ session: {}, locales: [] });
    expect(parseIdentification(undefined, config())).toEqual({ session: {}, locales: [] });
  });

  it('reads the linked id from customer.info at link.attribute, else from customer.info.attributes', () => {
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    expect(parseIdentification({ customer: { info: { custom: { dynamicsContactId: id } } } }, config()).linkedId).toBe(id);
    expect(parseIdentification({ customer: { info: { attributes: { custom: { dynamicsContactId: id } } } } }, config()).linkedId).toBe(id);
    expect(parseIdentification({ customer: { info: { custom: { dynamicsContactId: id } } } }, config({ link: {} })).linkedId).toBeUndefined();
  });
});
