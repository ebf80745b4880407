/**
 * Entry of the paste-able pre-registration hook. The build puts `const HOOK_CONFIG = {...}` above
 * this code, in the same module scope, so an administrator can edit the config in the console.
 */
import { createPreRegistrationHook } from './hook.js';

declare const HOOK_CONFIG: unknown;
declare const module: { exports: unknown };

module.exports = createPreRegistrationHook(HOOK_CONFIG);
