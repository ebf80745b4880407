/**
 * Who is signing in, read from a POST_IDENTIFICATION hook's arguments. Strivacity's published
 * example passes `{ application, oidc_context, customer, authenticators, requested_scopes, session,
 * continue_context, continue_request_parameters }` and reads the identifier from
 * `customer.info.userName`; no attribute is documented there, so where the email lives is an
 * inference, and the paths are configurable (`login.emailPaths`). Nothing else of the payload is
 * trusted; only the email is parsed with zod.
 * https://github.com/Strivacity/integrations/blob/main/hooks/seczetta/post-identification.hook.js
 */
import { emailAtPaths, readPath } from '../../argument-paths.js';
import type { Config } from '../../config.js';
import { asObject, localesOf, readableSession, type Session } from '../../input.js';

/** The first argument of a POST_IDENTIFICATION hook (only the parts we read). */
export interface IdentificationArguments {
  readonly oidc_context?: unknown;
  readonly customer?: unknown;
  readonly session?: unknown;
}

export interface Identification {
  /** The first valid email found at `login.emailPaths`, trimmed; absent when none holds one. */
  readonly email?: string;
  /** What the account holds at `link.attribute` (not yet checked: it may be anything). */
  readonly linkedId?: unknown;
  readonly session: Session;
  readonly locales: readonly string[];
}

/**
 * Reads the sign-in. The linked id is looked for in `customer.info` at `link.attribute`'s path, then
 * in `customer.info.attributes` at the same path: which of the two Strivacity fills is not published.
 * A getter that throws anywhere in the payload leaves that part unread, never the answer unmade.
 */
export function parseIdentification(args: unknown, config: Config): Identification {
  const root = asObject(args) ?? {};
  const session = readableSession(root['session']);
  const locales = localesOf(root['oidc_context']);
  const { email } = emailAtPaths(root, config.login.emailPaths);
  const linkedId = linkedIdOf(root, config.link.attribute);
  return { ...(email === undefined ? {} : { email }), ...(linkedId === undefined ? {} : { linkedId }), session, locales };
}

function linkedIdOf(root: Record<string, unknown>, attribute: string | undefined): unknown {
  if (attribute === undefined) return undefined;
  const info = asObject(readPath(root, 'customer.info')) ?? {};
  return readPath(info, attribute) ?? readPath(asObject(info['attributes']) ?? {}, attribute);
}
