import { describe, expect, it } from 'vitest';
import { type Config, DEFAULT_MESSAGES, type Messages } from '../../src/hook/config.js';
import { pickMessages } from '../../src/hook/messages.js';

function messagesIn(language: string): Messages {
  return {
    notFound: `${language}: not found`,
    multipleMatches: `${language}: several`,
    invalidEmail: `${language}: invalid`,
    unavailable: `${language}: unavailable`,
    notEntitled: `${language}: not entitled`,
    loginNotFound: `${language}: no sign-in`,
    loginNotEntitled: `${language}: sign-in not entitled`,
    loginMultipleMatches: `${language}: sign-in several`,
    loginUnavailable: `${language}: sign-in unavailable`,
  };
}

const CONFIGURED = { en: messagesIn('en'), de: messagesIn('de'), 'fr-CA': messagesIn('fr-CA'), fr: messagesIn('fr') };

describe('pickMessages', () => {
  it('uses en when no locale is requested', () => {
    expect(pickMessages(CONFIGURED, [])).toEqual(messagesIn('en'));
  });

  it('uses en when no requested locale is configured', () => {
    expect(pickMessages(CONFIGURED, ['ja', 'pt-BR'])).toEqual(messagesIn('en'));
  });

  it('uses an exact match', () => {
    expect(pickMessages(CONFIGURED, ['fr-CA'])).toEqual(messagesIn('fr-CA'));
  });

  it('prefers the exact region over the bare language', () => {
    expect(pickMessages(CONFIGURED, ['fr-CA', 'fr'])).toEqual(messagesIn('fr-CA'));
  });

  it('falls back from a region (de-DE) to its language (de)', () => {
    expect(pickMessages(CONFIGURED, ['de-DE'])).toEqual(messagesIn('de'));
  });

  it('falls back from a region it does not have (fr-BE) to its language (fr)', () => {
    expect(pickMessages(CONFIGURED, ['fr-BE'])).toEqual(messagesIn('fr'));
  });

  it('takes the first requested locale that matches, not the first configured one', () => {
    expect(pickMessages(CONFIGURED, ['ja', 'fr', 'de'])).toEqual(messagesIn('fr'));
  });

  it('ignores case', () => {
    expect(pickMessages(CONFIGURED, ['FR-ca'])).toEqual(messagesIn('fr-CA'));
    expect(pickMessages({ en: messagesIn('en'), 'de-AT': messagesIn('de-AT') }, ['de-at'])).toEqual(messagesIn('de-AT'));
  });

  it('does not widen a bare language to a region (de does not pick de-AT)', () => {
    expect(pickMessages({ en: messagesIn('en'), 'de-AT': messagesIn('de-AT') }, ['de'])).toEqual(messagesIn('en'));
  });
});

describe('pickMessages with partial languages (a config built by hand, not parsed)', () => {
  it('takes a text the chosen language lacks from en', () => {
    const partial = { en: messagesIn('en'), de: { notFound: 'de: not found' } } as unknown as Config['messages'];
    expect(pickMessages(partial, ['de'])).toEqual({ ...messagesIn('en'), notFound: 'de: not found' });
  });

  it('takes a text en lacks, or all of them without en, from the built-in English default', () => {
    const noEnglish = { de: { invalidEmail: 'de: invalid' } } as unknown as Config['messages'];
    expect(pickMessages(noEnglish, ['de'])).toEqual({ ...DEFAULT_MESSAGES, invalidEmail: 'de: invalid' });
    expect(pickMessages(noEnglish, ['ja'])).toEqual(DEFAULT_MESSAGES);
  });
});
