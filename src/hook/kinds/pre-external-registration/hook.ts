/**
 * The social sign-up gate (Strivacity PRE_EXTERNAL_REGISTRATION): the same decision as
 * pre-registration (entitlement, `policy.*`, enrichment, messages, the link), for a person signing
 * up with a social or enterprise provider, which most likely does not run the "Before registration"
 * hook (an inference: lifecycle-hooks.md 1.13). Only its reader differs (`./input.ts`).
 *
 * Assumed, not published: the arguments (the pre-registration shape), that Strivacity waits for the
 * answer (the type is listed as synchronous by a third-party source), and that it takes the
 * pre-registration answers (`RegistrationData`, `ShowErrorMessage`, `DenyRequest`).
 */
import type { HookOptions } from '../../loaded-hook.js';
import { createRegistrationGate, type RegistrationGate } from '../../registration-gate.js';
import { parseExternalRegistration } from './input.js';

/** Loads the hook once (config, token pre-fetch, clients); the returned function serves every social sign-up. */
export function createPreExternalRegistrationHook(rawConfig: unknown, options: HookOptions = {}): RegistrationGate {
  return createRegistrationGate('pre-external-registration', parseExternalRegistration, rawConfig, options);
}
