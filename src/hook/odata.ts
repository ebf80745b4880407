/**
 * OData string literals. The only escaping is quote doubling (OData v4.01 URL conventions:
 * SQUOTE-in-string = two SQUOTEs). URL encoding is left to dynamics-web-api, which runs
 * `encodeURIComponent` over the whole `$filter`: encoding here too would double-encode `+`, `%`, `&`.
 */

export function odataString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** `(f1 eq 'x' or f2 eq 'x') and statecode eq 0`. Dataverse `eq` on strings is case-insensitive. */
export function emailFilter(email: string, fields: readonly string[], activeOnly: boolean): string {
  const literal = odataString(email);
  const match = fields.map((field) => `${field} eq ${literal}`).join(' or ');
  const matchGroup = fields.length > 1 ? `(${match})` : match;
  return activeOnly ? `${matchGroup} and statecode eq 0` : matchGroup;
}
