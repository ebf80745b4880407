/** Picks the messages shown to a person, by the first `ui_locales` entry the config has. */
import { type Config, DEFAULT_MESSAGES, type Messages } from './config.js';

/**
 * `de-DE` matches `de-DE`, else `de`; comparison ignores case. The first requested locale that
 * matches wins; with none, `en`. A text the chosen locale lacks comes from `en`, then from the
 * built-in English default (the parsed config is already complete; this keeps a hand-made one safe).
 */
export function pickMessages(messages: Config['messages'], locales: readonly string[]): Messages {
  const byLowerKey = new Map<string, Partial<Messages>>(Object.entries(messages).map(([key, value]) => [key.toLowerCase(), value]));
  const english = { ...DEFAULT_MESSAGES, ...byLowerKey.get('en') };
  for (const locale of locales) {
    const wanted = locale.toLowerCase();
    const match = byLowerKey.get(wanted) ?? byLowerKey.get(wanted.split('-')[0] ?? wanted);
    if (match !== undefined) return { ...english, ...match };
  }
  return english;
}
