/**
 * The link from a registration to its Dataverse contact, carried in the Strivacity session as
 * `session.dynamics.contactId` with, beside it, `session.dynamics.linkHash`: a SHA-256 over the
 * tenant, the contact id and the normalised email the contact was matched for. The
 * pre-registration hook writes both from the contact it matched in this run and removes both on
 * every other path; the post-registration hook follows the link only when the hash, recomputed from
 * the registering email, is the one in the session. A session carried over from an attempt with
 * another email, or a link that something else put there, is ignored and the email decides.
 */
import { removePath, setPath } from './attributes.js';
import { type Contact, isContactId } from './dataverse.js';
import { asObject, type Attributes, type Session } from './input.js';
import { sha256Hex } from './sha256.js';

const LINK_KEYS = ['contactId', 'linkHash'] as const;

/**
 * The binding of `contactId` to `email`. The email is normalised as the lookup matches it (trimmed,
 * Unicode NFC as `emailSchema` hands it on, and lower-cased: Dataverse `eq` ignores case): a
 * normalisation that differs from Dataverse's only makes a link ignored, and the email lookup then
 * finds the contact anyway. NFC here too, so that no caller can bind an NFD spelling apart.
 */
export function linkHash(tenantId: string, contactId: string, email: string): string {
  return sha256Hex(['dynamics-link/v1', tenantId.toLowerCase(), contactId.toLowerCase(), email.trim().normalize('NFC').toLowerCase()].join('\n'));
}

/** `session` with the contact linked for `email`, keeping the other keys of `session.dynamics`. */
export function withLink(session: Session, tenantId: string, contactId: string, email: string): Session {
  const dynamics = asObject(session['dynamics']) ?? {};
  return { ...session, dynamics: { ...dynamics, contactId, linkHash: linkHash(tenantId, contactId, email) } };
}

/**
 * `session` without a link: the same object when it has none, else a copy whose `dynamics` lacks
 * the link's keys (and is dropped when nothing else was in it). Never mutates `session`.
 */
export function withoutLink(session: Session): Session {
  const dynamics = asObject(session['dynamics']);
  if (dynamics === undefined || !LINK_KEYS.some((key) => key in dynamics)) return session;
  const rest = Object.fromEntries(Object.entries(dynamics).filter(([key]) => !(LINK_KEYS as readonly string[]).includes(key)));
  const others = Object.fromEntries(Object.entries(session).filter(([key]) => key !== 'dynamics'));
  return Object.keys(rest).length === 0 ? others : { ...others, dynamics: rest };
}

/** What the session says about the contact to write: none, a link bound to this email, or one that is not. */
export type FollowedLink = { readonly state: 'none' } | { readonly state: 'bound'; readonly contactId: string } | { readonly state: 'ignored' };

/**
 * The linked contact id (lower-cased) when the session holds a GUID bound to `email`; `ignored`
 * when it holds a contact id that is not (no hash, another email's hash, or no valid email to
 * check it against). Anything that is not a GUID never goes into a request path.
 */
export function followLink(session: Session, tenantId: string, email: string | undefined): FollowedLink {
  const dynamics = asObject(session['dynamics']) ?? {};
  const contactId = dynamics['contactId'];
  if (contactId === undefined) return { state: 'none' };
  if (!isContactId(contactId) || email === undefined) return { state: 'ignored' };
  const expected = linkHash(tenantId, contactId, email);
  return dynamics['linkHash'] === expected ? { state: 'bound', contactId: contactId.toLowerCase() } : { state: 'ignored' };
}

/**
 * `link.attribute`: the registration's attributes with the contact id matched in this run at
 * `path`, or without any value there when none was matched. A registrant can type attributes, so an
 * incoming value is always overwritten or removed: only the hook writes this attribute.
 */
export function withLinkAttribute(attributes: Attributes, path: string | undefined, contactId: string | undefined): Attributes {
  if (path === undefined) return attributes;
  return contactId === undefined ? removePath(attributes, path) : setPath(attributes, path, contactId);
}

/**
 * How a contact id kept on the account (`link.attribute`) was used, for the log: `followed` (read
 * by id and trusted), `ignored_link` (not a GUID, or the contact's emails are not this one), or
 * `link_not_found` (Dataverse has no such contact).
 */
export type LinkUse = 'followed' | 'ignored_link' | 'link_not_found';

/**
 * The verdict on a contact read by the id kept on the account: trusted only when one of its email
 * fields holds `email` (trimmed, any case, as Dataverse's `eq` compares). An account whose attribute
 * was edited, or a contact whose email changed, is then looked up by email instead. Shared by the
 * sign-in gate and the account hooks, so one rule decides which contact a link names.
 */
export function verifyLinkedContact(contact: Contact | undefined, email: string, emailFields: readonly string[]): { link: LinkUse; contact?: Contact } {
  if (contact === undefined) return { link: 'link_not_found' };
  const wanted = email.trim().toLowerCase();
  const holdsEmail = emailFields.some((field) => {
    const value = contact[field];
    return typeof value === 'string' && value.trim().toLowerCase() === wanted;
  });
  return holdsEmail ? { link: 'followed', contact } : { link: 'ignored_link' };
}
