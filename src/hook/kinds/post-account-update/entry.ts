/**
 * Entry of the paste-able post-account-update hook. The build puts `const HOOK_CONFIG = {...}` above
 * this code, in the same module scope, so an administrator can edit the config in the console.
 */
import { createPostAccountUpdateHook } from './hook.js';

declare const HOOK_CONFIG: unknown;
declare const module: { exports: unknown };

module.exports = createPostAccountUpdateHook(HOOK_CONFIG);
