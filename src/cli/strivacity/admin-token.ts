/**
 * Credentials and the access token of the Strivacity Admin API. The client id and secret come only
 * from the environment (`STRIVACITY_CLIENT_ID`, `STRIVACITY_CLIENT_SECRET`: never a flag, which
 * would land in shell history and `ps`), and are sent only to the tenant's own token endpoint
 * (`POST /oauth2/token`, HTTP Basic, `grant_type=client_credentials`, `audience=<tenant URL>`,
 * `scope=<space separated>`), per `strivacity-authenticating-to-the-api-api-openapi.yml`.
 */
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { AdminError, errorFromAnswer } from './problem.js';
import { missingScopes, tokenRefusal } from './token-error.js';

export interface AdminCredentials {
  readonly clientId: string;
  /** Kept out of every message and log. */
  readonly clientSecret: string;
}

/** Reads the Admin API client from the environment; the error names the missing variable only. */
export function readAdminCredentials(env: NodeJS.ProcessEnv = process.env): AdminCredentials {
  const clientId = env['STRIVACITY_CLIENT_ID'];
  const clientSecret = env['STRIVACITY_CLIENT_SECRET'];
  const missing = [clientId ? undefined : 'STRIVACITY_CLIENT_ID', clientSecret ? undefined : 'STRIVACITY_CLIENT_SECRET'].filter(Boolean);
  if (clientId === undefined || clientSecret === undefined || missing.length > 0)
    throw new AdminError(
      'setup',
      `${missing.join(' and ')} not set: export the id and secret of an Admin API client of your Strivacity instance (never pass them as flags).`,
    );
  return { clientId, clientSecret };
}

const LOOPBACK = /^(127\.0\.0\.1|localhost|\[::1\])$/;

/**
 * The tenant URL from `--strivacity`: its origin. https only, since the client secret travels to it;
 * plain http is accepted for a loopback address (the local stand-in), nowhere else.
 */
export function parseTenantUrl(value: string | undefined): URL {
  if (value === undefined)
    throw new UsageError('Missing --strivacity https://<tenant>.strivacity.com (or strivacity.url in the config): the URL of your Strivacity instance.');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError('--strivacity is not a URL: give https://<tenant>.strivacity.com.');
  }
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.test(url.hostname));
  if (!secure || url.username !== '' || url.password !== '')
    throw new UsageError('--strivacity must be an https URL without credentials: https://<tenant>.strivacity.com.');
  return new URL(url.origin);
}

const tokenAnswer = z.looseObject({ access_token: z.string().min(1), expires_in: z.number().optional(), scope: z.string().optional() });

/** What the token endpoint granted. */
export interface AdminToken {
  readonly accessToken: string;
  readonly scopes: readonly string[];
  readonly expiresAt: number;
}

/**
 * One POST to the token endpoint. Throws an AdminError: `credentials` or `scope` for an OAuth
 * refusal (by its `error` code), `scope` when the grant lacks a scope asked for.
 */
export async function requestAdminToken(
  tenant: URL,
  credentials: AdminCredentials,
  scopes: readonly string[],
  send: (url: string, init: RequestInit) => Promise<Response>,
): Promise<AdminToken> {
  const basic = Buffer.from(`${encodeURIComponent(credentials.clientId)}:${encodeURIComponent(credentials.clientSecret)}`).toString('base64');
  const response = await send(new URL('/oauth2/token', tenant).href, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ grant_type: 'client_credentials', audience: tenant.origin, scope: scopes.join(' ') }).toString(),
  });
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) throw tokenRefusal(response.status, body, scopes) ?? errorFromAnswer('tokenpost', response.status, body);
  const parsed = tokenAnswer.safeParse(body);
  if (!parsed.success)
    throw new AdminError('bad_response', 'The Strivacity token endpoint answered without an access_token. Check --strivacity names your instance.');
  // A token endpoint that omits `scope` granted what was asked (RFC 6749 section 5.1).
  const granted = parsed.data.scope === undefined ? scopes : parsed.data.scope.split(' ').filter(Boolean);
  const missing = missingScopes(scopes, granted);
  if (missing !== undefined) throw missing;
  return {
    accessToken: parsed.data.access_token,
    scopes: granted,
    expiresAt: Date.now() + (parsed.data.expires_in ?? 300) * 1000,
  };
}
