import { describe, expect, it } from 'vitest';
import { contactIdFor } from '../../src/hook/contact-id.js';
import { ORG } from '../support/helpers.js';

describe('contactIdFor', () => {
  it('gives every attempt for one email in one environment the same id, whatever its case or surrounding spaces', () => {
    const id = contactIdFor(ORG, 'Alan.Turing@Example.com');
    expect(contactIdFor(ORG, ' alan.turing@example.com ')).toBe(id);
    expect(contactIdFor(ORG.toUpperCase(), 'alan.turing@example.com')).toBe(id);
  });

  it('is a GUID in Dataverse form with the RFC 9562 version 8 and variant bits', () => {
    expect(contactIdFor(ORG, 'alan.turing@example.com')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('differs between emails and between environments', () => {
    const id = contactIdFor(ORG, 'alan.turing@example.com');
    expect(contactIdFor(ORG, 'alan.turing2@example.com')).not.toBe(id);
    expect(contactIdFor('https://contoso-test.crm4.dynamics.com', 'alan.turing@example.com')).not.toBe(id);
  });

  it('compares emails after Unicode NFC normalisation (a composed and a decomposed ü are one email)', () => {
    expect(contactIdFor(ORG, 'j\u00fcrgen@example.de')).toBe(contactIdFor(ORG, 'ju\u0308rgen@example.de'));
  });

  // The value was computed independently (Python hashlib over the same input); changing the derivation
  // would let a retry across the change, or a run of an older build, create a second contact.
  it('is pinned to SHA-256 over the namespace, the environment origin and the email', () => {
    expect(contactIdFor(ORG, 'alan.turing@example.com')).toMatchInlineSnapshot(`"19c516cf-b7f8-81dc-af03-86099c2654b3"`);
  });
});
