/** What a built hook is, shared by the build and its config block. */

export type { HookKind } from './kinds.js';

/** The packages the built hook `require`s; everything else is bundled. */
export const RUNTIME_PACKAGES = ['@azure/msal-node', 'dynamics-web-api', 'zod'] as const;

/** The Strivacity console refuses hook code longer than this (Admin API `code` maxLength). */
export const MAX_HOOK_CHARACTERS = 256_000;

export interface BuiltHook {
  readonly code: string;
  readonly packageDependencies: Record<string, string>;
}
