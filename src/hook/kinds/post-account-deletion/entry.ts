/**
 * Entry of the paste-able post-account-deletion hook. The build puts `const HOOK_CONFIG = {...}`
 * above this code, in the same module scope, so an administrator can edit the config in the console.
 */
import { createPostAccountDeletionHook } from './hook.js';

declare const HOOK_CONFIG: unknown;
declare const module: { exports: unknown };

module.exports = createPostAccountDeletionHook(HOOK_CONFIG);
