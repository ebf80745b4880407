/**
 * The public surface of the package, for code that embeds the hooks instead of pasting the built
 * files (tests, a custom build, another runtime). Everything else in `src/` is internal.
 */
export { buildHook, type BuiltHook, type HookKind, MAX_HOOK_CHARACTERS, RUNTIME_PACKAGES } from './build.js';
export { type Config, type ConfigInput, parseConfig, parseResolvedConfig, type ResolvedConfig } from './config.js';
export { type Decision, type LookupOutcome, type Reason } from './decide.js';
export { type FailureCode, type FailureStage, HookError } from './errors.js';
export { createPreRegistrationHook, type PreRegistrationHook } from './hook.js';
export { type HookArguments } from './input.js';
export { type LogLine, type LogSink } from './log.js';
export { createPostRegistrationHook, type PostRegistrationHook, type SyncResult } from './post-registration.js';
export { AdditionalAuthenticator, RegistrationData } from './results.js';
export { type HookOptions } from './runtime.js';
