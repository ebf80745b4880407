/**
 * Helpers for the suites of the BUILT account hooks (post-account-update, post-account-deletion):
 * driving one event as Strivacity would, with or without a callback, and the Dataverse requests they
 * make, recorded. Built on `helpers.ts` (building, loading, the token and contacts stand-ins).
 */
import nock from 'nock';
import { expect } from 'vitest';
import type { BuiltHookFunction } from '../../src/harness/load-hook.js';
import { readFixture } from '../../src/harness/stand-in.js';
import { ACCESS_TOKEN, API, JSON_HEADERS, ORG, SECRET } from './helpers.js';

export const ADA_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';

/** Runs one event with a callback that records its calls; the hook must resolve, never reject. */
export async function driveWithCallback(hook: BuiltHookFunction, args: unknown): Promise<unknown[][]> {
  const calls: unknown[][] = [];
  await expect(hook(args, (...callArgs: unknown[]) => calls.push(callArgs), undefined)).resolves.toBeUndefined();
  return calls;
}

/** `GET contacts(<id>)` answered with the recorded contact, some columns changed; each `$select` is pushed to `selects`. */
export function mockContactById(changes: Record<string, unknown> = {}, selects: string[] = [], id = ADA_ID): nock.Scope {
  return nock(ORG)
    .get(`${API}/contacts(${id})`)
    .query((query) => selects.push(String(query['$select'])) > 0)
    .reply(200, { ...(readFixture('contact-by-id.json') as Record<string, unknown>), ...changes } as nock.Body, JSON_HEADERS);
}

/** `PATCH contacts(<id>)` with `If-Match: *`, answered 204 (`times` times); each body is pushed to `bodies`. */
export function mockPatch(id: string, bodies: unknown[], times = 1): nock.Scope {
  return nock(ORG)
    .patch(`${API}/contacts(${id})`, (body) => bodies.push(body) > 0)
    .matchHeader('if-match', '*')
    .times(times)
    .reply(204, '', { 'OData-Version': '4.0' });
}

/** The parsed log lines of one event (`event`), from what the hook printed. */
export function linesOf(printed: readonly string[], event: string): Array<Record<string, unknown>> {
  return printed.map((text) => JSON.parse(text) as Record<string, unknown>).filter((line) => line['event'] === event);
}

/** Nothing that identifies a person or grants access in anything printed. */
export function expectNothingPersonal(printed: readonly string[], extra: readonly string[] = []): void {
  const text = printed.join('\n').toLowerCase();
  for (const forbidden of [SECRET, ACCESS_TOKEN, 'lovelace', 'ada king', '"king"', 'grace.hopper', 'new.person', '+44 20 7946', '+442079460018', ...extra])
    expect(text).not.toContain(forbidden.toLowerCase());
}
