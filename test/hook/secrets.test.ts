/**
 * How the hook reads its secret variables: `process.env[NAME]` first, then a global `NAME` (the
 * two channels Strivacity may use), an empty value counting as unset; and PEM keys pasted on one line.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { normalisePem, readSecret } from '../../src/hook/secrets.js';

// A name no other test or the machine uses; the values are obviously not real secrets.
const NAME = 'DYNAMICS_SECRETS_TEST_VARIABLE';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
});

/** `readSecret(NAME)` in a runtime without `process` (a plain V8 isolate), restored before returning. */
function readWithoutProcess(): string | undefined {
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'process') as PropertyDescriptor;
  Object.defineProperty(globalThis, 'process', { value: undefined, configurable: true, writable: true });
  try {
    return readSecret(NAME);
  } finally {
    Object.defineProperty(globalThis, 'process', saved);
  }
}

describe('readSecret', () => {
  it('reads the environment variable first', () => {
    vi.stubEnv(NAME, 'from-env');
    vi.stubGlobal(NAME, 'from-global');

    expect(readSecret(NAME)).toBe('from-env');
  });

  it('falls back to the global variable when the environment has none', () => {
    vi.stubGlobal(NAME, 'from-global');

    expect(readSecret(NAME)).toBe('from-global');
  });

  it('takes an empty environment variable as unset, and reads the global variable', () => {
    vi.stubEnv(NAME, '');
    vi.stubGlobal(NAME, 'from-global');

    expect(readSecret(NAME)).toBe('from-global');
  });

  it('is undefined when neither channel holds the variable', () => {
    expect(readSecret(NAME)).toBeUndefined();
  });

  it('is undefined for an empty environment variable and no global one', () => {
    vi.stubEnv(NAME, '');

    expect(readSecret(NAME)).toBeUndefined();
  });

  it('is undefined for an empty global variable, or one that is not a string', () => {
    vi.stubGlobal(NAME, '');
    expect(readSecret(NAME)).toBeUndefined();

    vi.stubGlobal(NAME, 42);
    expect(readSecret(NAME)).toBeUndefined();

    vi.stubGlobal(NAME, { length: 5 });
    expect(readSecret(NAME)).toBeUndefined();
  });

  it('in a runtime without `process`, reads the global variable', () => {
    vi.stubGlobal(NAME, 'from-global');

    expect(readWithoutProcess()).toBe('from-global');
  });
});

describe('normalisePem', () => {
  it('turns literal `\\n` sequences into line breaks', () => {
    expect(normalisePem('-----BEGIN PRIVATE KEY-----\\nAAAA\\nBBBB\\n-----END PRIVATE KEY-----')).toBe(
      '-----BEGIN PRIVATE KEY-----\nAAAA\nBBBB\n-----END PRIVATE KEY-----',
    );
  });

  it('leaves a key that already has line breaks as it is', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n';

    expect(normalisePem(pem)).toBe(pem);
  });
});
