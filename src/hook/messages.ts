/** Picks the messages shown to a person, by the first `ui_locales` entry the config has. */
import type { Config, Messages } from './config.js';

/**
 * `de-DE` matches `de-DE`, else `de`; comparison ignores case. The first requested locale that
 * matches wins; with none, `en` (which the config schema requires).
 */
export function pickMessages(messages: Config['messages'], locales: readonly string[]): Messages {
  const byLowerKey = new Map(Object.entries(messages).map(([key, value]) => [key.toLowerCase(), value]));
  for (const locale of locales) {
    const wanted = locale.toLowerCase();
    const match = byLowerKey.get(wanted) ?? byLowerKey.get(wanted.split('-')[0] ?? wanted);
    if (match !== undefined) return match;
  }
  return byLowerKey.get('en') as Messages;
}
