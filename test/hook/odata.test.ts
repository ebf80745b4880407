import { describe, expect, it } from 'vitest';
import { emailFilter, odataString } from '../../src/hook/odata.js';

describe('odataString', () => {
  it('wraps a value in single quotes', () => {
    expect(odataString('ada@example.com')).toBe("'ada@example.com'");
  });

  it('doubles every single quote', () => {
    expect(odataString("o'brien''s@example.com")).toBe("'o''brien''''s@example.com'");
  });

  it('leaves everything else alone: URL encoding is the library’s job', () => {
    expect(odataString('a+b%20&c=d@example.com')).toBe("'a+b%20&c=d@example.com'");
  });
});

describe('emailFilter', () => {
  it('compares one field and adds the active-only condition', () => {
    expect(emailFilter('ada@example.com', ['emailaddress1'], true)).toBe("emailaddress1 eq 'ada@example.com' and statecode eq 0");
  });

  it('compares one field without statecode when activeOnly is off', () => {
    expect(emailFilter('ada@example.com', ['emailaddress1'], false)).toBe("emailaddress1 eq 'ada@example.com'");
  });

  it('groups several fields with or, so that the statecode condition applies to all of them', () => {
    expect(emailFilter('ada@example.com', ['emailaddress1', 'emailaddress2', 'emailaddress3'], true)).toBe(
      "(emailaddress1 eq 'ada@example.com' or emailaddress2 eq 'ada@example.com' or emailaddress3 eq 'ada@example.com') and statecode eq 0",
    );
  });

  it('groups several fields even without statecode', () => {
    expect(emailFilter('ada@example.com', ['emailaddress2', 'emailaddress1'], false)).toBe(
      "(emailaddress2 eq 'ada@example.com' or emailaddress1 eq 'ada@example.com')",
    );
  });

  it("keeps an apostrophe email one literal: o'brien becomes o''brien", () => {
    expect(emailFilter("o'brien@example.com", ['emailaddress1'], true)).toBe("emailaddress1 eq 'o''brien@example.com' and statecode eq 0");
  });

  it('keeps an injection attempt inside one string literal', () => {
    const attack = "x' or statecode eq 1 or emailaddress1 eq 'y";
    const filter = emailFilter(attack, ['emailaddress1'], true);
    expect(filter).toBe("emailaddress1 eq 'x'' or statecode eq 1 or emailaddress1 eq ''y' and statecode eq 0");
    // Outside the literal there is exactly the structure we built: strip the one literal and look.
    const outside = filter.replace(/'(?:[^']|'')*'/g, 'LITERAL');
    expect(outside).toBe('emailaddress1 eq LITERAL and statecode eq 0');
  });
});
