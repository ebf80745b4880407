/**
 * Strivacity's result types. `RegistrationData` and `AdditionalAuthenticator` are classes declared
 * in the hook file (as in Strivacity's examples). `ShowErrorMessage` and the deny class are
 * globals of the Strivacity runtime; the deny class has been published under two names
 * (`ErrorDenyRequest(description, hint)` and `DenyRequest(error, description)`). The runtime's
 * class is used when it exists, a local class of the same shape otherwise (so the hook runs
 * anywhere). No decision redirects, so `RedirectRequest` is not used.
 */
import type { Attributes, Session } from './input.js';

export class AdditionalAuthenticator {
  constructor(
    readonly type: 'email' | 'phone',
    readonly target: string,
  ) {}
}

export class RegistrationData {
  constructor(
    readonly attributes: Attributes,
    readonly additionalAuthenticators: AdditionalAuthenticator[],
    readonly session: Session,
  ) {}
}

class LocalShowErrorMessage {
  constructor(
    readonly error_message: string,
    readonly session: Session,
  ) {}
}

class LocalDenyRequest {
  constructor(
    readonly error: string,
    readonly description: string,
  ) {}
}

type ResultClass<A extends unknown[]> = new (...args: A) => object;

// The runtime's globals, referenced as free identifiers: whether Strivacity defines them on the
// global object or injects them into the module's scope, `typeof` finds them without a ReferenceError.
declare const ShowErrorMessage: ResultClass<[string, Session]> | undefined;
declare const ErrorDenyRequest: ResultClass<[string, string]> | undefined;
declare const DenyRequest: ResultClass<[string, string]> | undefined;

/** `new Runtime(...args)`, or the local class if the runtime's constructor throws: an answer must be made. */
function construct<A extends unknown[]>(Runtime: ResultClass<A> | undefined, Local: ResultClass<A>, args: A): object {
  if (typeof Runtime !== 'function') return new Local(...args);
  try {
    return new Runtime(...args);
  } catch {
    return new Local(...args);
  }
}

export function showErrorMessage(message: string, session: Session): object {
  return construct(typeof ShowErrorMessage === 'undefined' ? undefined : ShowErrorMessage, LocalShowErrorMessage, [message, session]);
}

/** The deny object for `error(...)`: the message is the description a person may see. */
export function denyRequest(message: string): object {
  if (typeof ErrorDenyRequest === 'function') {
    try {
      return new ErrorDenyRequest(message, '');
    } catch {
      return new LocalDenyRequest('access_denied', message);
    }
  }
  return construct(typeof DenyRequest === 'undefined' ? undefined : DenyRequest, LocalDenyRequest, ['access_denied', message]);
}
