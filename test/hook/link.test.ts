import { describe, expect, it } from 'vitest';
import { followLink, linkHash, withLink, withoutLink } from '../../src/hook/link.js';
import { TENANT } from '../support/helpers.js';

const ADA_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const ADA = 'ada.lovelace@example.com';

describe('withLink and followLink', () => {
  it('follows a link to the contact it was bound to, for the same email in any case and with spaces around it', () => {
    const session = withLink({ journey: 'register', dynamics: { campaign: 'spring' } }, TENANT, ADA_ID.toUpperCase(), ADA);
    expect(session).toEqual({
      journey: 'register',
      dynamics: { campaign: 'spring', contactId: ADA_ID.toUpperCase(), linkHash: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    expect(followLink(session, TENANT, ' Ada.Lovelace@Example.com ')).toEqual({ state: 'bound', contactId: ADA_ID });
  });

  it('ignores a link bound to another email, another tenant, another contact or to nothing', () => {
    const bound = withLink({}, TENANT, ADA_ID, ADA);
    const dynamics = bound['dynamics'] as Record<string, unknown>;
    expect(followLink(bound, TENANT, 'mallory@example.com')).toEqual({ state: 'ignored' });
    expect(followLink(bound, '99999999-2222-3333-4444-555555555555', ADA)).toEqual({ state: 'ignored' });
    expect(followLink({ dynamics: { ...dynamics, contactId: '16fd2706-8baf-433b-82eb-8c7fada847da' } }, TENANT, ADA)).toEqual({ state: 'ignored' });
    expect(followLink({ dynamics: { contactId: ADA_ID } }, TENANT, ADA)).toEqual({ state: 'ignored' });
    expect(followLink(bound, TENANT, undefined)).toEqual({ state: 'ignored' });
  });

  it.each([
    [{ dynamics: { contactId: 42 } }],
    [{ dynamics: { contactId: `${ADA_ID})/x`, linkHash: linkHash(TENANT, `${ADA_ID})/x`, ADA) } }],
    [{ dynamics: { contactId: `{${ADA_ID}}`, linkHash: linkHash(TENANT, `{${ADA_ID}}`, ADA) } }],
  ])('ignores a contact id that is not a GUID, even with a matching hash (it would go into a request path): %j', (session) => {
    expect(followLink(session, TENANT, ADA)).toEqual({ state: 'ignored' });
  });

  it.each([[{}], [{ dynamics: null }], [{ dynamics: ['x'] }], [{ dynamics: { campaign: 'spring' } }]])('finds no link in %j', (session) => {
    expect(followLink(session, TENANT, ADA)).toEqual({ state: 'none' });
  });
});

describe('withoutLink', () => {
  it('removes the contact id and its hash, keeping the other keys, without mutating the session', () => {
    const session = { journey: 'register', dynamics: { campaign: 'spring', contactId: ADA_ID, linkHash: 'x' } };
    expect(withoutLink(session)).toEqual({ journey: 'register', dynamics: { campaign: 'spring' } });
    expect(withoutLink({ journey: 'register', dynamics: { contactId: ADA_ID } })).toEqual({ journey: 'register' });
    expect(session.dynamics.contactId).toBe(ADA_ID);
  });

  it('returns the same session when there is no link to remove', () => {
    const session = { journey: 'register', dynamics: 'opaque' };
    expect(withoutLink(session)).toBe(session);
  });
});

describe('linkHash', () => {
  it('is a fixed function of tenant, contact id and email, so that hooks of two releases agree on a link', () => {
    // SHA-256 of "dynamics-link/v1\n<tenant>\n<contact id>\n<email>", each lower-cased (the email trimmed).
    const tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    const expected = '207fbafc9415693609e32f546d6ad72cd8a093473279e7664ad07a4bae012933';
    expect(linkHash(tenant, ADA_ID, ADA)).toBe(expected);
    expect(linkHash(tenant.toUpperCase(), ADA_ID.toUpperCase(), ` ${ADA.toUpperCase()} `)).toBe(expected);
  });

  it('binds the NFC and NFD spellings of an internationalised email alike, and not the address without its accents', () => {
    const nfc = 'jürgen.müller@beispiel.de';
    expect(linkHash(TENANT, ADA_ID, nfc.normalize('NFD'))).toBe(linkHash(TENANT, ADA_ID, nfc));
    expect(linkHash(TENANT, ADA_ID, 'JÜRGEN.MÜLLER@BEISPIEL.DE')).toBe(linkHash(TENANT, ADA_ID, nfc));
    expect(linkHash(TENANT, ADA_ID, 'jurgen.muller@beispiel.de')).not.toBe(linkHash(TENANT, ADA_ID, nfc));
  });
});
