/**
 * What the post-registration hook writes: pure functions of (config, registration), no I/O, so the
 * column mapping is tested without a network.
 */
import { getPath, isEmptyValue } from './attributes.js';
import { type Config, syncColumnsOf } from './config.js';
import { type ContactData, isContactId } from './dataverse.js';
import { asObject, type Attributes, type Session } from './input.js';

/**
 * The values of `sync.columns` (else `enrich` reversed) taken from the registration's attributes.
 * Empty or absent attributes are left out, so a blank form field never erases a CRM value; so are
 * values that are not scalars (an object or a list has no single column value).
 */
export function columnValues(config: Config, attributes: Attributes): ContactData {
  const data: Record<string, string | number | boolean> = {};
  for (const [column, path] of Object.entries(syncColumnsOf(config))) {
    const value = getPath(attributes, path);
    if (isEmptyValue(value)) continue;
    if (typeof value === 'string') data[column] = value.trim();
    else if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) data[column] = value;
  }
  return data;
}

/** A new contact: the mapped values plus the email, in the first of `lookup.emailFields`. */
export function newContactData(config: Config, email: string, attributes: Attributes): ContactData {
  const [emailField = 'emailaddress1'] = config.lookup.emailFields;
  return { ...columnValues(config, attributes), [emailField]: email };
}

/**
 * The contact the pre-registration hook linked (`session.dynamics.contactId`), if it is a GUID.
 * Anything else is ignored: the id goes into a request path, so it must never be free text.
 */
export function linkedContactId(session: Session): string | undefined {
  const contactId = asObject(session['dynamics'])?.['contactId'];
  return isContactId(contactId) ? contactId.toLowerCase() : undefined;
}
