/**
 * The `contactid` the post-registration hook gives a contact it creates. Dataverse accepts a
 * client-set primary key on `POST` and refuses a second row with the same key (412,
 * `0x80040237`), so an id that every attempt for one email derives alike turns a create that
 * Dataverse committed without telling us (a timeout, a 5xx) into a refused duplicate on the next
 * attempt, never into a second contact.
 */
import { createHash } from 'node:crypto';

/**
 * A fixed namespace, so these ids cannot coincide with name-based ids other software derives from
 * the same email. Changing it would change every id: a retry across the change could duplicate.
 */
const NAMESPACE = 'strivacity-dynamics-hook/contactid/v1';

/**
 * A name-based UUID (RFC 9562 section 5.8, version 8) from SHA-256 over the namespace, the
 * Dataverse environment's origin and the email, trimmed, NFC-normalised and lower-cased (Dataverse
 * `eq` ignores case, so two spellings that find the same contact get the same id).
 *
 * - The environment's origin, not the tenant: two environments of one tenant (test and
 *   production) are separate tables, and a contact copied between them keeps its id, so ids derived
 *   per environment keep a copy's contacts from blocking creates in the other.
 * - No secret in the input: the id must stay the same when the client secret or certificate is
 *   rotated, and a contact id is no secret (it travels in the Strivacity session).
 * - Sixteen bytes of the digest, version and variant bits set: 122 bits, the same collision odds as
 *   a random v4 id.
 */
export function contactIdFor(environmentUrl: string, email: string): string {
  const normalised = email.trim().normalize('NFC').toLowerCase();
  const bytes = createHash('sha256').update(`${NAMESPACE}\n${environmentUrl.toLowerCase()}\n${normalised}`).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80; // version 8
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80; // variant 10xx
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
