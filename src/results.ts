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

export function showErrorMessage(message: string, session: Session): object {
  const Runtime = typeof ShowErrorMessage === 'function' ? ShowErrorMessage : LocalShowErrorMessage;
  return new Runtime(message, session);
}

/** The deny object for `error(...)`: the message is the description a person may see. */
export function denyRequest(message: string): object {
  if (typeof ErrorDenyRequest === 'function') return new ErrorDenyRequest(message, '');
  const Runtime = typeof DenyRequest === 'function' ? DenyRequest : LocalDenyRequest;
  return new Runtime('access_denied', message);
}
