/** How an email is shown wherever one must be named: masked, never in full. */

/** A value shaped like an email (no spaces, an `@` inside): masked wherever one is shown or recorded. */
export const EMAIL_LIKE = /^[^\s@]+@[^\s@]+$/;

/** `a***e@example.com`: enough to tell samples apart, not enough to read the address. */
export function maskEmail(value: unknown): string {
  if (typeof value !== 'string') return `<${typeof value}>`;
  const email = value.trim();
  const at = email.lastIndexOf('@');
  if (at < 1) return email.length <= 2 ? '***' : `${email.slice(0, 1)}***`;
  const local = email.slice(0, at);
  return `${local.slice(0, 1)}***${local.length > 1 ? local.slice(-1) : ''}${email.slice(at)}`;
}
