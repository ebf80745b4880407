/**
 * The plugin library's Microsoft Dynamics 365 integration: Strivacity's own templates for it
 * ("Create a 'Before registration' hook from the Microsoft Dynamics 365 plugin", its Dynamics
 * page). It is found by name in the list (`getEventHooks`, a map keyed by id), then read once
 * (`getEventHookIntegration`: its `hooks` map). What the map's keys are is not documented.
 */
import type { ContractClient, Integration } from './contract-client.js';

export type DynamicsTemplates =
  | { readonly status: 'no-plugin-library' }
  | { readonly status: 'not-listed'; readonly integrations: number }
  | { readonly status: 'found'; readonly id: string; readonly displayName: string | undefined; readonly integration: Integration };

const DYNAMICS = /dynamics[\s-]*365/i;

/** The listed integration that names Dynamics 365 (the exact display name first), then its templates. */
export async function readDynamicsTemplates(client: ContractClient): Promise<DynamicsTemplates> {
  const listed = await client.integrations();
  if (listed === undefined) return { status: 'no-plugin-library' };
  const candidates = Object.entries(listed)
    .filter(([id, entry]) => DYNAMICS.test(entry.displayName ?? '') || DYNAMICS.test(id))
    .sort(
      ([a, first], [b, second]) =>
        Number(second.displayName === 'Microsoft Dynamics 365') - Number(first.displayName === 'Microsoft Dynamics 365') || a.localeCompare(b),
    );
  const [chosen] = candidates;
  if (chosen === undefined) return { status: 'not-listed', integrations: Object.keys(listed).length };
  const [id, entry] = chosen;
  return { status: 'found', id, displayName: entry.displayName, integration: await client.integration(id) };
}
