import { afterEach, describe, expect, it } from 'vitest';
import { AdditionalAuthenticator, denyRequest, RegistrationData, showErrorMessage } from '../../src/hook/results.js';

const RUNTIME_GLOBALS = ['ShowErrorMessage', 'ErrorDenyRequest', 'DenyRequest'] as const;
const globals = globalThis as Record<string, unknown>;

/** A stand-in for a Strivacity runtime class that records its constructor arguments. */
function runtimeClass(): new (...args: unknown[]) => { args: unknown[] } {
  return class {
    readonly args: unknown[];
    constructor(...args: unknown[]) {
      this.args = args;
    }
  };
}

afterEach(() => {
  for (const name of RUNTIME_GLOBALS) delete globals[name];
});

describe('RegistrationData and AdditionalAuthenticator', () => {
  it('carry attributes, authenticators and session under Strivacity’s property names', () => {
    const authenticator = new AdditionalAuthenticator('phone', '+44 20 7946 0000');
    const data = new RegistrationData({ name: { givenName: 'Ada' } }, [authenticator], { journey: 'signup' });
    expect(data).toEqual({
      attributes: { name: { givenName: 'Ada' } },
      additionalAuthenticators: [{ type: 'phone', target: '+44 20 7946 0000' }],
      session: { journey: 'signup' },
    });
  });
});

describe('showErrorMessage', () => {
  it('uses the runtime’s ShowErrorMessage when it exists', () => {
    const ShowErrorMessage = runtimeClass();
    globals['ShowErrorMessage'] = ShowErrorMessage;
    const result = showErrorMessage('Please contact support.', { journey: 'signup' });
    expect(result).toBeInstanceOf(ShowErrorMessage);
    expect(result).toEqual({ args: ['Please contact support.', { journey: 'signup' }] });
  });

  it('uses a local class of the same shape otherwise', () => {
    const result = showErrorMessage('Please contact support.', { journey: 'signup' });
    expect(result).toEqual({ error_message: 'Please contact support.', session: { journey: 'signup' } });
    expect(result.constructor.name).toBe('LocalShowErrorMessage');
  });

  it('ignores a runtime global of that name that is not a class', () => {
    globals['ShowErrorMessage'] = 'not a class';
    expect(showErrorMessage('m', {})).toEqual({ error_message: 'm', session: {} });
  });
});

describe('denyRequest', () => {
  it('uses ErrorDenyRequest(description, hint) when the runtime has it', () => {
    const ErrorDenyRequest = runtimeClass();
    globals['ErrorDenyRequest'] = ErrorDenyRequest;
    const result = denyRequest('Registration is not possible.');
    expect(result).toBeInstanceOf(ErrorDenyRequest);
    expect(result).toEqual({ args: ['Registration is not possible.', ''] });
  });

  it('uses DenyRequest(error, description) when the runtime has only that', () => {
    const DenyRequest = runtimeClass();
    globals['DenyRequest'] = DenyRequest;
    const result = denyRequest('Registration is not possible.');
    expect(result).toBeInstanceOf(DenyRequest);
    expect(result).toEqual({ args: ['access_denied', 'Registration is not possible.'] });
  });

  it('prefers ErrorDenyRequest when the runtime has both', () => {
    const ErrorDenyRequest = runtimeClass();
    globals['ErrorDenyRequest'] = ErrorDenyRequest;
    globals['DenyRequest'] = runtimeClass();
    expect(denyRequest('No.')).toBeInstanceOf(ErrorDenyRequest);
  });

  it('uses a local class shaped like DenyRequest when the runtime has neither', () => {
    const result = denyRequest('Registration is not possible.');
    expect(result).toEqual({ error: 'access_denied', description: 'Registration is not possible.' });
    expect(result.constructor.name).toBe('LocalDenyRequest');
  });
});

describe('a runtime class whose constructor throws', () => {
  const throwing = class {
    constructor() {
      throw new Error('runtime bug');
    }
  };

  it.each(['ErrorDenyRequest', 'DenyRequest'])('still yields a deny object when %s throws', (name) => {
    globals[name] = throwing;
    expect(denyRequest('Registration is not possible.')).toEqual({ error: 'access_denied', description: 'Registration is not possible.' });
  });

  it('yields the local deny object, not DenyRequest, when ErrorDenyRequest throws and the runtime has both', () => {
    globals['ErrorDenyRequest'] = throwing;
    globals['DenyRequest'] = runtimeClass();
    const result = denyRequest('Registration is not possible.');
    expect(result).toEqual({ error: 'access_denied', description: 'Registration is not possible.' });
    expect(result.constructor.name).toBe('LocalDenyRequest');
  });

  it('still yields a message when ShowErrorMessage throws', () => {
    globals['ShowErrorMessage'] = throwing;
    expect(showErrorMessage('Try again later.', { a: 1 })).toEqual({ error_message: 'Try again later.', session: { a: 1 } });
  });
});
