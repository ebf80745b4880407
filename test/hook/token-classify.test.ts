/**
 * classifyTokenError: what survives of an msal-node error when it becomes a HookError. Only the
 * class of failure, the HTTP status, the AADSTS number and Entra's error code (as `entra <code>`)
 * are kept; a field of an unexpected type or shape is dropped rather than trusted. The errors
 * msal-node really throws are covered end to end in token-failures.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { HookError } from '../../src/hook/errors.js';
import { classifyTokenError } from '../../src/hook/token.js';

function fieldsOf(error: HookError) {
  const { code, message, stage, status, aadsts, diagnostic } = error;
  return { code, message, stage, status, aadsts, diagnostic };
}

const REFUSED = { code: 'auth', message: 'Entra refused the token request.', stage: 'token', status: undefined, aadsts: undefined, diagnostic: undefined };

describe('the class of failure', () => {
  it("msal-node's network_error is a network failure", () => {
    expect(fieldsOf(classifyTokenError({ errorCode: 'network_error' }))).toEqual({
      ...REFUSED,
      code: 'network',
      message: 'The token request failed.',
      diagnostic: 'entra network_error',
    });
  });

  it('keeps the original as the cause, for a debugger', () => {
    const original = { errorCode: 'invalid_client', status: 401 };
    expect(classifyTokenError(original).cause).toBe(original);
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'AADSTS7000215: invalid_client'],
  ])('anything thrown that is not an object (%s) is an auth failure with no details', (_label, thrown) => {
    expect(fieldsOf(classifyTokenError(thrown))).toEqual(REFUSED);
  });
});

describe('the AADSTS number', () => {
  it.each([
    ['a number', 7000215],
    ['a string', '7000215'],
  ])('is read from errorNo given as %s', (_label, errorNo) => {
    expect(classifyTokenError({ errorNo }).aadsts).toBe(7000215);
  });

  it('prefers errorNo to the number in the message', () => {
    expect(classifyTokenError({ errorNo: 500011, errorMessage: 'AADSTS7000215: Invalid client secret provided.' }).aadsts).toBe(500011);
  });

  it.each([
    ['zero', 0],
    ['negative', -7000215],
    ['a fraction', 1.5],
    ['not a number', 'abc'],
    ['a boolean', true],
    ['an array', [7000215]],
  ])('ignores an errorNo that is %s', (_label, errorNo) => {
    expect(classifyTokenError({ errorNo }).aadsts).toBeUndefined();
  });

  it('falls back to the AADSTS number in the message when errorNo is unusable', () => {
    expect(classifyTokenError({ errorNo: 0, errorMessage: 'Error(s): 7000215 - AADSTS7000215: Invalid client secret provided.' }).aadsts).toBe(7000215);
  });

  it.each([
    ['no AADSTS code', 'Network request failed'],
    ['a code too short to be one', 'AADSTS12: nothing'],
  ])('has none when the message has %s', (_label, errorMessage) => {
    expect(classifyTokenError({ errorMessage }).aadsts).toBeUndefined();
  });

  it('does not read a message that is not a string', () => {
    expect(classifyTokenError({ errorMessage: ['AADSTS7000215: Invalid client secret provided.'] }).aadsts).toBeUndefined();
  });
});

describe('the status and the error code', () => {
  it('keeps a numeric status only', () => {
    expect(classifyTokenError({ status: 503 })).toMatchObject({ code: 'server', status: 503 });
    expect(fieldsOf(classifyTokenError({ status: '503' }))).toEqual(REFUSED);
  });

  it.each([
    ['upper case and a space', 'Invalid client'],
    ['a space', 'invalid client'],
    ['digits', '50196'],
    ['more than 64 characters', 'a'.repeat(65)],
    ['not a string', ['invalid_client']],
  ])("drops an error code with %s: only Entra's snake_case codes are logged", (_label, errorCode) => {
    expect(classifyTokenError({ errorCode, status: 401 }).diagnostic).toBeUndefined();
  });

  it('keeps a snake_case error code as its diagnostic', () => {
    expect(classifyTokenError({ errorCode: 'unauthorized_client', status: 400 }).diagnostic).toBe('entra unauthorized_client');
  });
});
