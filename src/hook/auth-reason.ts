/**
 * Why Dataverse refused our token, from a fixed set. Dataverse answers such a token with 401 and an
 * empty body; the reason is only in the non-standard `401_error_reason` header or in
 * `WWW-Authenticate` (e.g. "IDX10214: Audience validation failed"). Those headers are text from the
 * network: copied as they came, anything placed there (an email was tried in an attack review)
 * would reach the log's `diagnostic`, `doctor` and `try --live`. So only a known token is kept, with
 * our own wording, and everything else is `other`.
 */

/**
 * Microsoft.IdentityModel's token-validation codes that a Dataverse 401 carries, each with what it
 * means for the administrator (the IDX codes are listed in the IdentityModel wiki, "IDX Error Codes").
 */
const IDENTITY_MODEL_REASONS: Readonly<Record<string, string>> = {
  IDX10205: 'IDX10205: Issuer validation failed (token from another tenant)',
  IDX10214: 'IDX10214: Audience validation failed (token for another environment)',
  IDX10222: 'IDX10222: Lifetime validation failed (token not yet valid)',
  IDX10223: 'IDX10223: Lifetime validation failed (token expired)',
  IDX10230: 'IDX10230: Lifetime validation failed',
  IDX10500: 'IDX10500: Signature validation failed (no key)',
  IDX10501: 'IDX10501: Signature validation failed (key not found)',
  IDX10503: 'IDX10503: Signature validation failed',
  IDX10511: 'IDX10511: Signature validation failed',
};

/** RFC 6750 section 3.1 `error` values of a Bearer challenge. */
const BEARER_ERRORS = new Set(['invalid_token', 'invalid_request', 'insufficient_scope']);

/** The reason of a 401 for logs: a known IDX code, else a known Bearer `error`, else `other`; none without a header. */
export function authenticateReason(headers: Readonly<Record<string, unknown>>): string | undefined {
  const texts = [headers['401_error_reason'], headers['www-authenticate']].filter((value): value is string => typeof value === 'string' && value !== '');
  if (texts.length === 0) return undefined;
  for (const text of texts) {
    for (const match of text.matchAll(/IDX\d{5}/g)) {
      const known = IDENTITY_MODEL_REASONS[match[0]];
      if (known !== undefined) return known;
    }
  }
  for (const text of texts) {
    const error = /\berror="?([a-z_]{1,40})"?/.exec(text)?.[1];
    if (error !== undefined && BEARER_ERRORS.has(error)) return error;
  }
  return 'other';
}
