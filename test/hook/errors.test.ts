/**
 * The one error model: what `toHookError` makes of an error nobody classified, and which classes
 * are worth another attempt.
 */
import { describe, expect, it } from 'vitest';
import { configError, HookError, isTransient, toHookError } from '../../src/hook/errors.js';

/**
 * What an error that no adapter classified becomes: a bug or a library error. Its code decides the
 * `onError` outcome and whether a retry is tried, so it is pinned here, in one place.
 */
const UNCLASSIFIED = { code: 'internal', message: 'The request failed unexpectedly.' } as const;

describe('toHookError', () => {
  it('returns a HookError as it is', () => {
    const original = new HookError('throttled', 'Dataverse throttled the request.', { stage: 'dataverse', status: 429, retryAfterMs: 2000 });
    expect(toHookError(original, 'token')).toBe(original);
  });

  it.each([
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'value')")],
    ['a thrown string', 'boom'],
    ['undefined', undefined],
  ])('files %s as unclassified at the stage it is given, keeping it only as the cause', (_label, error) => {
    const failure = toHookError(error, 'dataverse');
    expect(failure).toBeInstanceOf(HookError);
    expect(failure).toMatchObject({ ...UNCLASSIFIED, stage: 'dataverse', status: undefined });
    expect(failure.cause).toBe(error);
    expect(toHookError(error, 'token')).toMatchObject({ ...UNCLASSIFIED, stage: 'token' });
  });

  it('never retries an unclassified error', () => {
    expect(isTransient(toHookError(new Error('x'), 'dataverse'))).toBe(false);
  });
});

describe('HookError', () => {
  it('is an Error named HookError that keeps code, stage, status and the details it was given', () => {
    const cause = new Error('socket hang up');
    const failure = new HookError('throttled', 'Dataverse throttled the request.', {
      stage: 'dataverse',
      status: 429,
      dataverseCode: '0x80072322',
      retryAfterMs: 2000,
      diagnostic: 'fixed text',
      cause,
    });
    expect(failure).toBeInstanceOf(Error);
    expect(failure).toMatchObject({
      name: 'HookError',
      code: 'throttled',
      message: 'Dataverse throttled the request.',
      stage: 'dataverse',
      status: 429,
      dataverseCode: '0x80072322',
      retryAfterMs: 2000,
      diagnostic: 'fixed text',
    });
    expect(failure.cause).toBe(cause);
  });

  it('has no cause property at all when none is given', () => {
    expect('cause' in new HookError('auth', 'Entra refused the token request.', { stage: 'token', aadsts: 7000215 })).toBe(false);
  });
});

describe('isTransient', () => {
  it.each([
    ['throttled', true],
    ['server', true],
    ['network', true],
    ['timeout', false],
    ['auth', false],
    ['forbidden', false],
    ['not_found', false],
    ['bad_response', false],
    ['config', false],
    ['internal', false],
  ] as const)('says %s is %s', (code, transient) => {
    expect(isTransient(new HookError(code, 'fixed text', { stage: 'dataverse' }))).toBe(transient);
  });
});

describe('configError', () => {
  it('is a config failure at the config stage, with the diagnostic only when one is given', () => {
    expect(configError('The hook configuration is invalid.', 'auth.tenantId: must be a GUID')).toMatchObject({
      code: 'config',
      stage: 'config',
      message: 'The hook configuration is invalid.',
      diagnostic: 'auth.tenantId: must be a GUID',
    });
    const bare = configError('No credential is configured.');
    expect(bare).toMatchObject({ code: 'config', stage: 'config', message: 'No credential is configured.' });
    expect(bare.diagnostic).toBeUndefined();
  });
});
