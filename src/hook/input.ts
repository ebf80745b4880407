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

export const MAX_EMAIL_LENGTH = 100;

/**
 * Emails we are willing to put in an OData literal. Besides the address syntax, this refuses the
 * characters that dynamics-web-api mangles (`"`, `{`, `}`: its GUID brace-stripping treats `"` as a
 * string delimiter) and control characters, so the only escaping left is quote doubling. It also
 * refuses the library's batch marker: the post-registration hook writes the email into a contact,
 * and a record holding the marker breaks the library whenever Dataverse sends it back.
 */
export const emailSchema = z
  .string()
  .trim()
  .min(1)
  .max(MAX_EMAIL_LENGTH)
  // eslint-disable-next-line no-control-regex
  .refine((value) => !/[\u0000-\u001f\u007f"{}]/.test(value))
  .refine((value) => !containsBatchMarker(value))
  .pipe(z.email());

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
