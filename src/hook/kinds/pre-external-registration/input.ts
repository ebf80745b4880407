/**
 * The social sign-up as a PRE_EXTERNAL_REGISTRATION hook receives it. Strivacity publishes nothing
 * about this type's arguments (research: lifecycle-hooks.md 1.13: listed as synchronous, no
 * description, no example), so the shape is ASSUMED to be the pre-registration one, and where the
 * email lives is a configurable list (`externalRegistration.emailPaths`). When the assumption does
 * not hold, the reader says so with the arguments' key paths (never values) instead of guessing:
 * `probe --hook pre-external-registration` shows the real keys.
 */
import { emailAtPaths, readPath } from '../../argument-paths.js';
import type { Config } from '../../config.js';
import { asObject, localesOf, readableSession, type Registration } from '../../input.js';
import { keyPathsOf } from '../../key-paths.js';
import type { ReadRegistration } from '../../registration-gate.js';

/**
 * Reads the registration: the first valid email at `externalRegistration.emailPaths`, and
 * `customer.attributes` (what enrichment completes and the answer hands back).
 *
 * - an email found: a registration like a typed one, decided as pre-registration decides it;
 * - text at a path, but no usable email: `invalid_email` (the shape held, the value did not), as
 *   for a typed one;
 * - nothing at any path: the assumed contract did not hold, `contractMismatch` with the key paths.
 */
export function parseExternalRegistration(args: unknown, config: Config): ReadRegistration {
  const root = asObject(args) ?? {};
  const session = readableSession(root['session']);
  const locales = localesOf(root['oidc_context']);
  // Absent when the IdP's attributes are elsewhere: enrichment then starts from nothing.
  const attributes = asObject(readPath(root, 'customer.attributes')) ?? {};
  const { email, unusableText } = emailAtPaths(root, config.externalRegistration.emailPaths);
  if (email !== undefined) return { registration: { valid: true, email, attributes, session, locales } };
  const registration: Registration = { valid: false, attributes, session, locales };
  return unusableText ? { registration } : { registration, contractMismatch: keyPathsOf(args) };
}
