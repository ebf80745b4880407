/**
 * How the sign-in gate answers Strivacity. `AllowAuthentication` is a class declared in the hook
 * file, as in Strivacity's published POST_IDENTIFICATION example (`authentication = 'ALLOW'`,
 * `constructor(session, allowRememberedAuthenticators = true, authenticatorsToIgnore = [])`); a
 * message and a deny use the runtime's globals through `results.ts`, as the registration does.
 */
import type { Answer } from '../../answer.js';
import type { Session } from '../../input.js';
import { denyRequest, showErrorMessage } from '../../results.js';
import type { LoginDecision } from './decide.js';

export class AllowAuthentication {
  readonly authentication = 'ALLOW';
  constructor(
    readonly session: Session,
    readonly allowRememberedAuthenticators: boolean = true,
    readonly authenticatorsToIgnore: readonly unknown[] = [],
  ) {}
}

/** Gives the decision to Strivacity: allow and message through `callback`, deny through `error`. */
export function deliverLogin(decision: LoginDecision, answer: Answer): void {
  if (decision.outcome === 'allow') answer.allow(new AllowAuthentication(decision.session));
  else if (decision.outcome === 'showError') answer.allow(showErrorMessage(decision.message, decision.session));
  else answer.deny(denyRequest(decision.message), () => showErrorMessage(decision.message, decision.session));
}
