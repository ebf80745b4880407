/**
 * The config block of each BUILT file, read back as the console would show it and run as Strivacity
 * loads it. Issue 11: the post-registration file showed the pre-registration keys and no `sync`, so
 * nobody could see that it creates contacts and writes the enrich columns back (a custom one too).
 */
import nock from 'nock';
import { describe, expect, it, vi } from 'vitest';
import { buildHook } from '../../src/build/build-hook.js';
import { configHash, readProvenance } from '../../src/build/provenance.js';
import type { ConfigInput } from '../../src/hook/config.js';
import { loadBuiltHook } from '../../src/harness/load-hook.js';
import { contactIdFor } from '../../src/hook/contact-id.js';
import { readFixture } from '../../src/harness/stand-in.js';
import { API, BASE_CONFIG, JSON_HEADERS, mockToken, ORG, useBuiltHooks } from '../support/helpers.js';

const CONFIG = {
  ...BASE_CONFIG,
  enrich: { 'name.givenName': 'firstname', 'custom.loyaltyNumber': 'new_loyaltynumber' },
  messages: { de: { notFound: 'Nicht gefunden' } },
} satisfies ConfigInput;

/** HOOK_CONFIG as the built file declares it: the block up to the end of the literal, evaluated. */
function hookConfigOf(code: string): Record<string, unknown> {
  const block = code.slice(0, code.indexOf('\n};\n') + 4);
  return new Function(`${block}\nreturn HOOK_CONFIG;`)() as Record<string, unknown>;
}

const builtHooks = useBuiltHooks();

describe('the config block of the built files', () => {
  it('post-registration: shows the columns it writes, createIfMissing and updateExisting, and none of the keys it ignores', async () => {
    const { code } = await buildHook('post-registration', CONFIG);
    const config = hookConfigOf(code);
    expect(config['sync']).toEqual({
      columns: { firstname: 'name.givenName', new_loyaltynumber: 'custom.loyaltyNumber' },
      createIfMissing: true,
      updateExisting: 'fillEmpty',
    });
    expect(Object.keys(config)).toEqual(['dataverse', 'auth', 'lookup', 'policy', 'sync', 'logLevel']);
    expect(config['policy']).toEqual({ timeoutMs: 1500, maxConcurrentRequests: 10, maxValueLength: 4000 });
    expect(code).toContain('    // Dataverse column <- attribute path; default: enrich reversed\n    "columns": {\n');
  });

  it('pre-registration: leaves sync out and keeps what the decision reads', async () => {
    const { code } = await buildHook('pre-registration', { ...CONFIG, sync: { createIfMissing: false } });
    const config = hookConfigOf(code);
    expect(config).not.toHaveProperty('sync');
    expect(Object.keys(config)).toEqual(['dataverse', 'auth', 'lookup', 'policy', 'link', 'enrich', 'enrichOverwrite', 'messages', 'logLevel']);
  });

  it.each(['pre-registration', 'post-registration', 'post-identification'] as const)(
    '%s: says its version, commit and the hash of the config it holds',
    async (kind) => {
      const { code } = await buildHook(kind, CONFIG);
      const { version, commit } = readProvenance();
      expect(code).toContain(`\n * Build: version ${version}, commit ${commit}, config ${configHash(hookConfigOf(code))}\n`);
    },
  );

  it('post-registration: loads its own block and creates the contact with exactly the columns it shows', async () => {
    mockToken();
    const created = readFixture('dataverse-create-204.json') as { status: number; headers?: Record<string, string> };
    const scope = nock(ORG)
      .get(`${API}/contacts`)
      .query(true)
      .reply(200, readFixture('contacts-none.json') as nock.Body, JSON_HEADERS)
      .post(`${API}/contacts`, {
        firstname: 'Alan',
        new_loyaltynumber: 'L-42',
        emailaddress1: 'alan.turing@example.com',
        contactid: contactIdFor(ORG, 'alan.turing@example.com'),
      })
      .reply(created.status, '', created.headers ?? {});
    const { hook, unload } = loadBuiltHook((await buildHook('post-registration', CONFIG)).code);
    builtHooks.track(unload);
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => void printed.push(String(line)));
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => void printed.push(String(line)));
    const calls: unknown[][] = [];
    const attributes = { emails: { primaryEmail: 'alan.turing@example.com' }, name: { givenName: 'Alan' }, custom: { loyaltyNumber: 'L-42' } };

    await hook({ oidc_context: { ui_locales: [] }, customer: { attributes }, session: {} }, (...args: unknown[]) => calls.push(args), undefined);
    vi.restoreAllMocks();

    expect(calls).toEqual([[]]);
    scope.done();
    expect(printed.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ level: 'info', event: 'registration.synced', outcome: 'created' }),
    ]);
  });
});
