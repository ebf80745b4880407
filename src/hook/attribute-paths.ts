/**
 * The Strivacity attribute paths that `enrich` and `sync.columns` may name. Strivacity publishes no
 * attribute schema for hooks; these are the shapes its own hook examples use (research:
 * strivacity-hooks.md, the IDDataWeb example). Attributes an administrator adds in the identity
 * store ("custom attributes" in the Strivacity console) are not listed anywhere a hook can see, so
 * they are accepted under our own prefix, `custom.`, and not checked further.
 */
import { closestName } from './closest-name.js';

export const KNOWN_ATTRIBUTE_PATHS: readonly string[] = [
  'name.givenName',
  'name.middleName',
  'name.familyName',
  'emails.primaryEmail',
  'phoneNumbers.primaryPhoneNumber',
  'addresses.primary.streetAddress',
  'addresses.primary.city',
  'addresses.primary.postalCode',
  'addresses.primary.region',
  'country',
];

/** Our convention (not Strivacity's): `custom.<name>` addresses a custom attribute. */
export const CUSTOM_ATTRIBUTE_PREFIX = 'custom.';

const SEGMENTS = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/;

/**
 * Why `path` is not an attribute path the hook can address, or `undefined` when it is. The text
 * names a known path as a suggestion, never the path itself (the caller's issue path shows it).
 */
export function attributePathProblem(path: string): string | undefined {
  if (!SEGMENTS.test(path)) return 'must be a dotted attribute path such as name.givenName';
  if (KNOWN_ATTRIBUTE_PATHS.includes(path)) return undefined;
  if (path.startsWith(CUSTOM_ATTRIBUTE_PREFIX)) return undefined;
  const suggestion = closestName(path, KNOWN_ATTRIBUTE_PATHS);
  const custom = `custom attributes go under ${CUSTOM_ATTRIBUTE_PREFIX}<name>`;
  return suggestion === undefined ? `not a Strivacity attribute the hook knows (${custom})` : `unknown attribute, did you mean ${suggestion}? (${custom})`;
}
