/**
 * The public surface of the package, for code that embeds the hooks instead of pasting the built
 * files (tests, another runtime): the hooks, their config and results. The build, the command line
 * and the harness are tools around them, not part of this surface.
 */
export { type Config, type ConfigInput, parseConfig, parseResolvedConfig, type ResolvedConfig } from './hook/config.js';
export { type Decision, type LookupOutcome, type Reason } from './hook/decide.js';
export { type FailureCode, type FailureStage, HookError } from './hook/errors.js';
export { createPreRegistrationHook, type PreRegistrationHook } from './hook/pre-registration.js';
export { type HookArguments } from './hook/input.js';
export { type LogLine, type LogSink } from './hook/log.js';
export { createPostRegistrationHook, type PostRegistrationHook } from './hook/post-registration.js';
export { type SyncResult } from './hook/sync.js';
export { AdditionalAuthenticator, RegistrationData } from './hook/results.js';
export { type HookOptions } from './hook/loaded-hook.js';
