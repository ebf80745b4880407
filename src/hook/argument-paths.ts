/**
 * Reading a hook's arguments at configured dotted paths (`login.emailPaths`,
 * `externalRegistration.emailPaths`). Used by the kinds whose argument shape Strivacity does not
 * publish: where the email lives is an inference there, so it is a list an administrator can
 * change, and a getter that throws anywhere in the payload leaves that path unread, never the
 * answer unmade.
 */
import { getPath } from './attributes.js';
import { emailSchema } from './input.js';

/** The value at `path` in `root`, or `undefined` when the path is absent or reading it throws. */
export function readArgumentPath(root: Record<string, unknown>, path: string): unknown {
  try {
    return getPath(root, path);
  } catch {
    return undefined;
  }
}

/** What the configured paths hold: the first valid email (trimmed, NFC), and whether any held text at all. */
export interface EmailAtPaths {
  readonly email?: string;
  /** Some path held a non-blank string that is not a usable email (a phone number, a typo, an injection attempt). */
  readonly unusableText: boolean;
}

/** Reads `paths` in order; the first that holds a valid email wins. */
export function emailAtPaths(root: Record<string, unknown>, paths: readonly string[]): EmailAtPaths {
  let unusableText = false;
  for (const path of paths) {
    const value = readArgumentPath(root, path);
    const parsed = emailSchema.safeParse(value);
    if (parsed.success) return { email: parsed.data, unusableText };
    if (typeof value === 'string' && value.trim() !== '') unusableText = true;
  }
  return { unusableText };
}
