/**
 * The options several commands take, declared once. A command picks the ones it takes; where one
 * is required there, it says so with `required(...)` instead of declaring the option again.
 */
import { DEFAULT_HOOK_KIND, HOOK_KIND_NAMES } from '../build/kinds.js';
import type { ArgDef } from './args.js';

/** `--hook` as a command takes it when leaving it out means something else than the default kind. */
export const KIND_ARG = {
  type: 'string',
  valueHint: '<kind>',
  choices: HOOK_KIND_NAMES,
  description: `the hook kind: ${HOOK_KIND_NAMES.join(', ')}`,
} as const satisfies ArgDef;

export const SHARED_ARGS = {
  config: { type: 'string', valueHint: '<file>', description: 'the hook config (JSON with comments)' },
  hook: { ...KIND_ARG, default: DEFAULT_HOOK_KIND },
  strivacity: { type: 'string', valueHint: '<url>', description: 'the Strivacity instance, https://<tenant>.strivacity.com' },
  name: {
    type: 'string',
    valueHint: '<hook name>',
    description: 'the hook\'s name in Strivacity (default: the kind\'s, e.g. "Dynamics 365 pre-registration")',
  },
  json: { type: 'boolean', default: false, description: 'machine output: one JSON document on stdout' },
} as const satisfies Record<string, ArgDef>;

/** The same option, required by this command. */
export function required<const D extends ArgDef>(def: D): D & { readonly required: true } {
  return { ...def, required: true };
}
