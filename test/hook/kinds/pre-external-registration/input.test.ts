import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../src/hook/config.js';
import type { HookError } from '../../../../src/hook/errors.js';
import { parseExternalRegistration } from '../../../../src/hook/kinds/pre-external-registration/input.js';

const config = (sections: Record<string, unknown> = {}) =>
  parseConfig({
    dataverse: { url: 'https://contoso.crm4.dynamics.com' },
    auth: { tenantId: '11111111-2222-3333-4444-555555555555', clientId: '66666666-7777-8888-9999-000000000000', clientSecretVariable: 'S' },
    ...sections,
  });

describe('parseExternalRegistration', () => {
  it('reads the email at customer.attributes.emails.primaryEmail first, with the attributes, session and locales', () => {
    const args = {
      customer: { attributes: { emails: { primaryEmail: ' ada@example.com ' } }, identifiers: { email: 'grace@example.com' } },
      session: { journey: 'social' },
      oidc_context: { ui_locales: 'de fr' },
    };
    expect(parseExternalRegistration(args, config())).toEqual({
      registration: {
        valid: true,
        email: 'ada@example.com',
        attributes: { emails: { primaryEmail: ' ada@example.com ' } },
        session: { journey: 'social' },
        locales: ['de', 'fr'],
      },
    });
  });

  it('falls back to customer.identifiers.email, with empty attributes when the runtime passed none', () => {
    const found = parseExternalRegistration({ customer: { identifiers: { email: 'grace@example.com' } } }, config());
    expect(found).toEqual({ registration: { valid: true, email: 'grace@example.com', attributes: {}, session: {}, locales: [] } });
  });

  it('follows the configured paths only', () => {
    const args = { customer: { attributes: { emails: { primaryEmail: 'ada@example.com' } }, social: { mail: 'grace@example.com' } } };
    const found = parseExternalRegistration(args, config({ externalRegistration: { emailPaths: ['customer.social.mail'] } }));
    expect(found.registration).toMatchObject({ valid: true, email: 'grace@example.com' });
  });

  it('is an invalid email, not a contract mismatch, when a path holds text that is no email', () => {
    const found = parseExternalRegistration({ customer: { attributes: { emails: { primaryEmail: '+442079460018' } } } }, config());
    expect(found).toEqual({ registration: { valid: false, attributes: { emails: { primaryEmail: '+442079460018' } }, session: {}, locales: [] } });
  });

  it('is a contract mismatch with the key paths when no path holds anything, and never throws on a hostile payload', () => {
    const found = parseExternalRegistration({ customer: { attributes: { emails: { primaryEmail: '' } }, phone: '+442079460018' } }, config());
    expect(found.contractMismatch).toEqual(['customer.attributes.emails.primaryEmail', 'customer.phone']);
    expect(found.registration.valid).toBe(false);

    const hostile = {
      get customer(): never {
        throw new Error('boom');
      },
    };
    expect(parseExternalRegistration(hostile, config())).toEqual({
      registration: { valid: false, attributes: {}, session: {}, locales: [] },
      contractMismatch: ['customer'],
    });
    expect(parseExternalRegistration(undefined, config()).contractMismatch).toEqual([]);
  });

  it('refuses an emailPaths entry that is not a dotted path, and an empty list, naming the key and not the value', () => {
    const diagnosticOf = (emailPaths: unknown) => {
      try {
        config({ externalRegistration: { emailPaths } });
      } catch (error) {
        return (error as HookError).diagnostic;
      }
      return undefined;
    };
    expect(diagnosticOf(['customer..email'])).toBe('externalRegistration.emailPaths.0: must be a dotted path such as customer.info.userName');
    expect(diagnosticOf([])).toMatch(/^externalRegistration\.emailPaths: /);
  });
});
