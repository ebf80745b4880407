/**
 * Entry of the paste-able pre-external-registration hook (social sign-up). The build puts
 * `const HOOK_CONFIG = {...}` above this code, in the same module scope, so an administrator can
 * edit the config in the console.
 */
import { createPreExternalRegistrationHook } from './hook.js';

declare const HOOK_CONFIG: unknown;
declare const module: { exports: unknown };

module.exports = createPreExternalRegistrationHook(HOOK_CONFIG);
