/**
 * What the Strivacity token endpoint's refusals mean. It speaks OAuth 2.0 (RFC 6749 section 5.2:
 * `400 {error, error_description}`), not the Admin API's problem documents, so its `error` code is
 * read here: a client the API access policy does not allow a scope (`invalid_scope`) is not a
 * wrong secret (`invalid_client`), and telling one for the other sends the operator to rotate a
 * secret that works. A grant of fewer scopes than asked (the answer's `scope` lists what was
 * granted, per `strivacity-authenticating-to-the-api-api-openapi.yml`) is refused here too, before
 * any operation is called and half-done.
 *
 * The `error_description` is never printed: it is the server's free text.
 */
import { z } from 'zod';
import { AdminError } from './problem.js';

const WHAT = 'Strivacity Admin API token request (POST /oauth2/token)';
const CREDENTIALS = 'Check STRIVACITY_CLIENT_ID / STRIVACITY_CLIENT_SECRET (an API client of this instance) and --strivacity.';
const GRANT = 'Grant them to this client in the Strivacity console, in the API access policy that covers it, then run again.';

const oauthError = z.looseObject({ error: z.string() });

/** The OAuth error codes of RFC 6749 section 5.2; anything else is not printed. */
const OAUTH_CODES = new Set(['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope']);

/** The `error` of an OAuth error answer, when it is one of the codes the RFC defines. */
function oauthCodeOf(body: unknown): string | undefined {
  const parsed = oauthError.safeParse(body);
  return parsed.success && OAUTH_CODES.has(parsed.data.error) ? parsed.data.error : undefined;
}

/**
 * One line for a refused token request. `scopes` are those the command asked for (our own text);
 * undefined when the answer is not an OAuth refusal (5xx, 404...): the caller's generic mapping applies.
 */
export function tokenRefusal(status: number, body: unknown, scopes: readonly string[]): AdminError | undefined {
  const code = oauthCodeOf(body);
  const what = `${WHAT} answered ${status}${code === undefined ? '' : ` ${code}`}`;
  switch (code) {
    case 'invalid_scope':
      return new AdminError('scope', `${what}: this client may not have the scopes asked for (${scopes.join(' ')}). ${GRANT}`, status);
    case 'invalid_client':
      return new AdminError('credentials', `${what}: the client credentials were refused. ${CREDENTIALS}`, status);
    case 'unauthorized_client':
      return new AdminError(
        'credentials',
        `${what}: this client may not use the client credentials grant. Make it an Admin API client (machine to machine) of this instance in the Strivacity console.`,
        status,
      );
    case 'invalid_request':
    case 'invalid_grant':
    case 'unsupported_grant_type':
      return new AdminError(
        'bad_response',
        `${what}: the token endpoint refused the request itself. Check that --strivacity is the instance's own URL (it is sent as the audience); if it is, report this line.`,
        status,
      );
    default:
      // No OAuth code: a 401 (or a bare 400) still most likely means the client was not recognised.
      if (status === 400 || status === 401) return new AdminError('credentials', `${what}: the client credentials were refused. ${CREDENTIALS}`, status);
      return undefined;
  }
}

/**
 * The scopes asked for that a grant lacks, as an error naming them (our own names, never the
 * answer's text), or undefined when everything asked for was granted.
 */
export function missingScopes(asked: readonly string[], granted: readonly string[]): AdminError | undefined {
  const missing = asked.filter((scope) => !granted.includes(scope));
  if (missing.length === 0) return undefined;
  const kept = asked.filter((scope) => granted.includes(scope));
  return new AdminError(
    'scope',
    `${WHAT} granted ${kept.length === 0 ? 'none of the scopes asked for' : `only ${kept.join(' ')}`}: this command needs ${missing.join(' ')} too, so nothing was called. ${GRANT}`,
  );
}
