/**
 * The registration as Strivacity hands it to the hook, validated before anything else happens.
 * Nothing here trusts the shape of the payload: a missing `customer` is invalid input, not a crash.
 */
import { z } from 'zod';
import { containsBatchMarker } from './values.js';

export type Attributes = Record<string, unknown>;
export type Session = Record<string, unknown>;

/** The first argument of a Strivacity pre-/post-registration hook (only the parts we read). */
export interface HookArguments {
  readonly application?: unknown;
  readonly oidc_context?: unknown;
  readonly customer?: unknown;
  readonly session?: unknown;
  readonly continue_context?: unknown;
  readonly continue_request_parameters?: unknown;
}

export type Registration =
  | { readonly valid: true; readonly email: string; readonly attributes: Attributes; readonly session: Session; readonly locales: readonly string[] }
  | { readonly valid: false; readonly attributes: Attributes; readonly session: Session; readonly locales: readonly string[] };

/**
 * The `emailaddress1`..`3` columns hold 100 characters. Dataverse stores them as SQL Server
 * `nvarchar(100)`, whose length is in byte-pairs (UTF-16 code units), and its .NET platform checks
 * `MaxLength` against `string.Length`, also UTF-16 code units: so is this limit (JavaScript's
 * `length`), measured on the NFC form that is sent. An emoji or other character outside the BMP
 * counts 2, as it does in Dataverse.
 */
export const MAX_EMAIL_LENGTH = 100;

/**
 * Refused anywhere in an email: every control (`Cc`: C0, DEL and C1), format character (`Cf`: bidi
 * overrides and isolates, zero-width space and joiners, soft hyphen, BOM), lone surrogate (`Cs`:
 * `encodeURIComponent` throws on one), private-use (`Co`) or unassigned (`Cn`) code point, and every
 * separator (`Z`: spaces of any width, line and paragraph separators). None is visible, so each
 * would let two addresses that look alike differ, or reorder how an address displays in a log or a
 * console; none belongs in an address anyone types. Besides these, `"`, `{` and `}`: dynamics-web-api
 * mangles them (its GUID brace-stripping treats `"` as a string delimiter), so that the only escaping
 * left is quote doubling.
 */
const REFUSED_CHARACTER = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Z}"{}]/u;

/**
 * An address: dot-separated atoms of letters, marks and decimal digits of any script and `_ ' + -` (not
 * `'` last), an `@`, then dot-separated labels of letters, marks, decimal digits and `-` (the first a letter
 * or digit) ending in a top-level label of at least two letters. ASCII addresses are accepted exactly
 * as before (zod's `z.email()` pattern); RFC 6531 adds UTF-8 to the local part and the domain, of
 * which letters, marks and digits are taken (no symbol or punctuation outside ASCII: a fullwidth `＠`
 * or `．` would only look like the real one).
 */
const ADDRESS = /^(?:[\p{L}\p{M}\p{Nd}_'+-]+\.)*[\p{L}\p{M}\p{Nd}_'+-]*[\p{L}\p{M}\p{Nd}_+-]@(?:[\p{L}\p{Nd}][\p{L}\p{M}\p{Nd}-]*\.)+[\p{L}\p{M}]{2,}$/u;

/**
 * Emails we are willing to put in an OData literal, in Unicode NFC: `jürgen@müller.de` typed as `u`
 * plus a combining diaeresis is the same address as with `ü`, and every use of the email (the
 * lookup, the log's hash, the link's hash, the contact the post-registration hook writes) sees the
 * one form. It also refuses the library's batch marker: the post-registration hook writes the email
 * into a contact, and a record holding the marker breaks the library whenever Dataverse sends it
 * back.
 */
export const emailSchema = z
  .string()
  .trim()
  .min(1)
  // A bound before normalising, whose cost grows with the string (the exact limit comes after).
  .max(MAX_EMAIL_LENGTH * 4)
  .transform((value) => value.normalize('NFC'))
  .pipe(
    z
      .string()
      // Not `.max()`: zod 4 measures a string's length there in code points, not code units.
      .refine((value) => value.length <= MAX_EMAIL_LENGTH)
      .refine((value) => !REFUSED_CHARACTER.test(value))
      .refine((value) => !containsBatchMarker(value))
      .regex(ADDRESS),
  );

/**
 * An object we can read keys from, or `undefined`. Nothing is copied (this runs on every
 * registration); only the email is parsed with zod, and nothing else of the payload is trusted.
 */
export function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** `ui_locales` is documented as `string[]`; a space-separated string (OIDC's wire form) is accepted too. */
export function localesOf(oidcContext: unknown): string[] {
  const raw = asObject(oidcContext)?.['ui_locales'];
  const list = typeof raw === 'string' ? raw.split(/\s+/) : Array.isArray(raw) ? raw : [];
  return list.filter((l): l is string => typeof l === 'string' && l.length > 0 && l.length <= 35);
}

/**
 * The session as plain data: its own keys, and those of `session.dynamics` (the only part the hooks
 * read or change), copied once at the edge. A session whose keys cannot be read (a getter or proxy
 * that throws) is replaced by an empty one, and an unreadable `dynamics` is dropped, so that nothing
 * later (the link, the answer) can throw on it.
 */
export function readableSession(value: unknown): Session {
  let session: Session;
  try {
    session = { ...asObject(value) };
  } catch {
    return {};
  }
  try {
    const dynamics = asObject(session['dynamics']);
    return dynamics === undefined ? session : { ...session, dynamics: { ...dynamics } };
  } catch {
    delete session['dynamics'];
    return session;
  }
}

export function parseRegistration(args: unknown): Registration {
  const root = asObject(args) ?? {};
  const session = readableSession(root['session']);
  const locales = localesOf(root['oidc_context']);
  const attributes = asObject(asObject(root['customer'])?.['attributes']);
  if (attributes === undefined) return { valid: false, attributes: {}, session, locales };
  const email = emailSchema.safeParse(asObject(attributes['emails'])?.['primaryEmail']);
  if (!email.success) return { valid: false, attributes, session, locales };
  return { valid: true, email: email.data, attributes, session, locales };
}
