/**
 * The pre-registration hook (Strivacity PRE_REGISTRATION, blocking): the registration gate of
 * `../../registration-gate.ts` with the published argument shape, the typed email at
 * `customer.attributes.emails.primaryEmail`.
 */
import { type HookArguments, parseRegistration } from '../../input.js';
import type { HookOptions } from '../../loaded-hook.js';
import { createRegistrationGate } from '../../registration-gate.js';

export type PreRegistrationHook = (args: HookArguments, callback: unknown, error: unknown) => Promise<void>;

/** Loads the hook once (config, token pre-fetch, clients); the returned function serves every registration. */
export function createPreRegistrationHook(rawConfig: unknown, options: HookOptions = {}): PreRegistrationHook {
  return createRegistrationGate('pre-registration', (args) => ({ registration: parseRegistration(args) }), rawConfig, options);
}
