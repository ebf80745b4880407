/**
 * The hook kinds: one row per kind, the table every command reads (`build`, `try`, `payloads`,
 * `probe`, `deploy`, `tryout`, `logs`, `init`, `doctor`). A kind is a folder under
 * `src/hook/kinds/<name>/` (its `entry.ts` is what the build bundles) and its facts in
 * `src/build/kinds/<name>.ts`, kept out of src/hook/ because they are not pasted into Strivacity.
 * Adding a kind is that folder, that file and one row below.
 */
import type { KindFacts } from './kinds/kind-facts.js';
import { POST_ACCOUNT_DELETION_KIND } from './kinds/post-account-deletion.js';
import { POST_ACCOUNT_UPDATE_KIND } from './kinds/post-account-update.js';
import { POST_IDENTIFICATION_KIND } from './kinds/post-identification.js';
import { POST_REGISTRATION_KIND } from './kinds/post-registration.js';
import { PRE_EXTERNAL_REGISTRATION_KIND } from './kinds/pre-external-registration.js';
import { PRE_REGISTRATION_KIND } from './kinds/pre-registration.js';

export const HOOK_KINDS = [
  PRE_REGISTRATION_KIND,
  PRE_EXTERNAL_REGISTRATION_KIND,
  POST_REGISTRATION_KIND,
  POST_IDENTIFICATION_KIND,
  POST_ACCOUNT_UPDATE_KIND,
  POST_ACCOUNT_DELETION_KIND,
] as const;

/** The hooks the project builds, named as the Strivacity console names their events. */
export type HookKind = (typeof HOOK_KINDS)[number]['name'];

export const HOOK_KIND_NAMES: readonly HookKind[] = HOOK_KINDS.map((kind) => kind.name);

/** The kind a command uses when `--hook` is not given. */
export const DEFAULT_HOOK_KIND: HookKind = 'pre-registration';

export function isHookKind(name: string): name is HookKind {
  return HOOK_KIND_NAMES.includes(name as HookKind);
}

/** The facts of `kind`. */
export function kindFacts(kind: HookKind): KindFacts<HookKind> {
  const facts = HOOK_KINDS.find((row) => row.name === kind);
  if (facts === undefined) throw new Error(`no hook kind '${kind}'`);
  return facts;
}

/** The kind whose Strivacity type is `type`, if the project builds one. */
export function kindOfType(type: string): HookKind | undefined {
  return HOOK_KINDS.find((row) => row.strivacityType === type)?.name;
}

/** The file the build bundles for `kind`. */
export function entryOf(kind: HookKind): URL {
  return new URL(`../hook/kinds/${kind}/entry.ts`, import.meta.url);
}
