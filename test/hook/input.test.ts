import { describe, expect, it } from 'vitest';
import { emailSchema, MAX_EMAIL_LENGTH, parseRegistration } from '../../src/hook/input.js';

/** A Strivacity pre-registration payload with `primaryEmail` set to `email`. */
function payload(email: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    application: { name: 'Shop' },
    oidc_context: { ui_locales: ['de-DE', 'en'] },
    customer: { attributes: { emails: { primaryEmail: email }, name: { givenName: 'Ada' } } },
    session: { journey: 'signup' },
    ...extra,
  };
}

describe('parseRegistration', () => {
  it('accepts a valid email and trims it', () => {
    const registration = parseRegistration(payload('  ada@example.com \t'));
    expect(registration).toEqual({
      valid: true,
      email: 'ada@example.com',
      attributes: { emails: { primaryEmail: '  ada@example.com \t' }, name: { givenName: 'Ada' } },
      session: { journey: 'signup' },
      locales: ['de-DE', 'en'],
    });
  });

  it("accepts an apostrophe in the local part (o'brien must be found, not refused)", () => {
    const registration = parseRegistration(payload("o'brien@example.com"));
    expect(registration).toMatchObject({ valid: true, email: "o'brien@example.com" });
  });

  it(`accepts an email of exactly ${MAX_EMAIL_LENGTH} characters`, () => {
    const email = `${'a'.repeat(MAX_EMAIL_LENGTH - '@example.com'.length)}@example.com`;
    expect(email).toHaveLength(MAX_EMAIL_LENGTH);
    expect(parseRegistration(payload(email))).toMatchObject({ valid: true, email });
  });

  it.each([
    ['an umlaut in the local part', 'jürgen.müller@beispiel.de'],
    ['an umlaut in the domain (IDN, RFC 6531)', 'juergen@müller.de'],
    ['Greek script throughout', 'δοκιμή@παράδειγμα.δοκιμή'],
    ['Chinese script throughout', '用户@例子.广告'],
  ])('accepts an internationalised address: %s', (_label, email) => {
    expect(parseRegistration(payload(email))).toMatchObject({ valid: true, email });
  });

  it('hands on the NFC form of an address typed in NFD (u + combining diaeresis is ü)', () => {
    const typed = 'ju\u0308rgen.mu\u0308ller@beispiel.de';
    expect(typed).not.toBe('jürgen.müller@beispiel.de');
    expect(parseRegistration(payload(` ${typed} `))).toMatchObject({ valid: true, email: 'jürgen.müller@beispiel.de' });
  });

  it(`counts the ${MAX_EMAIL_LENGTH} characters in UTF-16 code units of the NFC form, as Dataverse's nvarchar(${MAX_EMAIL_LENGTH}) does`, () => {
    // In NFD each ü is two code units: 140 typed, 100 once composed, which is what is sent and stored.
    const local = 'ü'.repeat(40);
    const email = `${local}${'a'.repeat(MAX_EMAIL_LENGTH - 40 - '@example.com'.length)}@example.com`;
    expect(email).toHaveLength(MAX_EMAIL_LENGTH);
    expect(email.normalize('NFD')).toHaveLength(MAX_EMAIL_LENGTH + 40);
    expect(parseRegistration(payload(email.normalize('NFD')))).toMatchObject({ valid: true, email });
    // A character outside the BMP is two UTF-16 code units in Dataverse too.
    const astral = `𝒜${'a'.repeat(MAX_EMAIL_LENGTH - 2 - '@example.com'.length)}@example.com`;
    expect(astral).toHaveLength(MAX_EMAIL_LENGTH);
    expect(emailSchema.safeParse(astral).success).toBe(true);
    expect(emailSchema.safeParse(`a${astral}`).success).toBe(false);
  });

  it.each([
    ['a C1 control (NEL)', 'ada\u0085@example.com'],
    ['a C1 control (CSI)', 'ada\u009b@example.com'],
    ['a right-to-left override', 'ada\u202e@example.com'],
    ['a right-to-left isolate', '\u2067ada@example.com'],
    ['a zero-width space', 'ada\u200b@example.com'],
    ['a zero-width joiner', 'jürgen\u200d@beispiel.de'],
    ['a soft hyphen', 'ju\u00adrgen@beispiel.de'],
    ['a byte order mark inside (at either end, trim removes it as it does spaces)', 'ada\ufeff@example.com'],
    ['a no-break space', 'ada\u00a0lovelace@example.com'],
    ['an ideographic space', '用户\u3000@例子.广告'],
    ['a line separator', 'ada\u2028@example.com'],
    ['a lone surrogate (no UTF-8 form: encodeURIComponent throws)', 'ada\ud800@example.com'],
    ['a private-use character', 'ada\ue000@example.com'],
    ['an unassigned code point', 'ada\u0378@example.com'],
    ['a fullwidth at sign', 'ada\uff20example.com@example.com'],
    ['an ideographic full stop between labels', 'juergen@müller\u3002de'],
    ['a symbol outside ASCII', 'ada\u2764@example.com'],
  ])('refuses an internationalised address with %s', (_label, email) => {
    expect(parseRegistration(payload(email))).toMatchObject({ valid: false });
  });

  it.each([
    ['a number', 42],
    ['null', null],
    ['an array', ['ada@example.com']],
    ['an empty string', ''],
    ['only spaces', '   '],
    [`over ${MAX_EMAIL_LENGTH} characters`, `${'a'.repeat(MAX_EMAIL_LENGTH + 1 - '@example.com'.length)}@example.com`],
    ['a newline inside', 'ada\n@example.com'],
    ['a NUL character', 'ada\u0000@example.com'],
    ['a DEL character', 'ada\u007f@example.com'],
    ['a double quote', '"ada"@example.com'],
    ['an opening brace', 'ada{@example.com'],
    ['a closing brace', 'ada}@example.com'],
    ['no @', 'ada.example.com'],
    ['no domain', 'ada@'],
    ['a space inside', 'ada lovelace@example.com'],
    ['an OData injection attempt', "x@example.com' or 1 eq 1 or emailaddress1 eq 'y@example.com"],
    ['holding the library batch marker', 'ada--batchresponse_@example.com'],
  ])('refuses an email that is %s, keeping attributes and session', (_label, email) => {
    const input = payload(email);
    const registration = parseRegistration(input);
    expect(registration).toEqual({
      valid: false,
      attributes: (input['customer'] as { attributes: unknown }).attributes,
      session: { journey: 'signup' },
      locales: ['de-DE', 'en'],
    });
  });

  it('treats a missing customer as invalid input with empty attributes, keeping the session', () => {
    expect(parseRegistration({ session: { journey: 'signup' } })).toEqual({ valid: false, attributes: {}, session: { journey: 'signup' }, locales: [] });
  });

  it('treats a customer without attributes as invalid input, keeping the session', () => {
    expect(parseRegistration({ customer: {}, session: { a: 1 } })).toEqual({ valid: false, attributes: {}, session: { a: 1 }, locales: [] });
  });

  it('treats customer.attributes: null as invalid input with empty attributes, keeping the session', () => {
    // null is an object to `typeof`: read as one, the next key lookup would throw instead of answering.
    expect(parseRegistration({ customer: { attributes: null }, session: { a: 1 } })).toEqual({ valid: false, attributes: {}, session: { a: 1 }, locales: [] });
  });

  it('treats attributes without emails as invalid input, keeping the attributes', () => {
    const attributes = { name: { givenName: 'Ada' } };
    expect(parseRegistration({ customer: { attributes } })).toEqual({ valid: false, attributes, session: {}, locales: [] });
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'payload'],
    ['an array', [payload('ada@example.com')]],
  ])('treats a payload that is %s as invalid input without crashing', (_label, args) => {
    expect(parseRegistration(args)).toEqual({ valid: false, attributes: {}, session: {}, locales: [] });
  });

  it.each([
    ['a string', 'abc'],
    ['null', null],
    ['an array', [{ a: 1 }]],
    ['a number', 7],
  ])('replaces a session that is %s with an empty object', (_label, session) => {
    expect(parseRegistration(payload('ada@example.com', { session })).session).toEqual({});
  });

  it('copies the session and its dynamics part at the edge, so that nothing later changes what Strivacity passed', () => {
    const dynamics = { contactId: '0f8fad5b-d9cb-469f-a165-70867728950e', other: 1 };
    const session = { journey: 'signup', dynamics };
    const registration = parseRegistration(payload('ada@example.com', { session }));
    expect(registration.session).toEqual({ journey: 'signup', dynamics: { contactId: '0f8fad5b-d9cb-469f-a165-70867728950e', other: 1 } });
    expect(registration.session).not.toBe(session);
    expect(registration.session['dynamics']).not.toBe(dynamics);
  });

  it('keeps a session.dynamics that is not an object as it is', () => {
    expect(parseRegistration(payload('ada@example.com', { session: { journey: 'signup', dynamics: 'x' } })).session).toEqual({
      journey: 'signup',
      dynamics: 'x',
    });
  });

  it('replaces a session whose keys cannot be read with an empty one', () => {
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no keys for you');
        },
      },
    );
    expect(parseRegistration(payload('ada@example.com', { session: hostile }))).toMatchObject({ valid: true, session: {} });
  });

  it('drops a session.dynamics whose keys cannot be read, keeping the other session keys', () => {
    const hostileDynamics = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no keys for you');
        },
      },
    );
    const registration = parseRegistration(payload('ada@example.com', { session: { journey: 'signup', dynamics: hostileDynamics } }));
    expect(registration.session).toEqual({ journey: 'signup' });
  });

  it('reads ui_locales given as an array, dropping entries that are not locale strings', () => {
    const registration = parseRegistration(payload('ada@example.com', { oidc_context: { ui_locales: ['fr-CA', 3, '', null, 'fr'] } }));
    expect(registration.locales).toEqual(['fr-CA', 'fr']);
  });

  it('reads ui_locales given as a space-separated string (the OIDC wire form)', () => {
    const registration = parseRegistration(payload('ada@example.com', { oidc_context: { ui_locales: ' de-DE  de\ten ' } }));
    expect(registration.locales).toEqual(['de-DE', 'de', 'en']);
  });

  it('keeps a ui_locale of up to 35 characters and drops a longer one', () => {
    const longest = `de-${'x'.repeat(32)}`;
    const registration = parseRegistration(payload('ada@example.com', { oidc_context: { ui_locales: [longest, `${longest}x`, 'en'] } }));
    expect(registration.locales).toEqual([longest, 'en']);
  });

  it('has no locales when oidc_context or ui_locales is missing or of another type', () => {
    expect(parseRegistration(payload('ada@example.com', { oidc_context: undefined })).locales).toEqual([]);
    expect(parseRegistration(payload('ada@example.com', { oidc_context: { ui_locales: 5 } })).locales).toEqual([]);
  });
});

describe('emailSchema', () => {
  it('returns the trimmed address', () => {
    expect(emailSchema.parse(' ada@example.com ')).toBe('ada@example.com');
  });
});
