/**
 * Shared test helpers: a test config, nock stand-ins for Entra's token endpoint and Dataverse
 * `contacts`, and capture of what the hook sent and logged.
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, vi } from 'vitest';
import type { HookKind } from '../../src/build/artifact.js';
import { buildHook } from '../../src/build/build-hook.js';
import { type BuiltHookFunction, loadBuiltHook, strivacityGlobals } from '../../src/harness/load-hook.js';
import type { ConfigInput } from '../../src/hook/config.js';
import type { LogLine } from '../../src/hook/log.js';
import { readFixture } from '../../src/harness/stand-in.js';

export const TENANT = '11111111-2222-3333-4444-555555555555';
export const CLIENT = '66666666-7777-8888-9999-000000000000';
export const ORG = 'https://contoso.crm4.dynamics.com';
export const API = '/api/data/v9.2';
/** An easy-to-spot secret: the log scan asserts it never appears anywhere. */
export const SECRET = 'S3cr3t~client~VALUE~do-not-log';
export const ACCESS_TOKEN = (readFixture('token.json') as { access_token: string }).access_token;

export const BASE_CONFIG = {
  dataverse: { url: ORG },
  auth: { tenantId: TENANT, clientId: CLIENT, clientSecretVariable: 'DYNAMICS_CLIENT_SECRET' },
  policy: { timeoutMs: 1500 },
  enrich: { 'name.givenName': 'firstname', 'name.familyName': 'lastname', 'phoneNumbers.primaryPhoneNumber': 'mobilephone' },
} satisfies ConfigInput;

/** BASE_CONFIG with some sections replaced (shallow per section). */
export function configWith(overrides: Partial<Record<keyof ConfigInput, unknown>>): ConfigInput {
  const merged: Record<string, unknown> = { ...BASE_CONFIG };
  for (const [key, value] of Object.entries(overrides)) {
    const base = merged[key];
    merged[key] =
      typeof base === 'object' && base !== null && !Array.isArray(base) && typeof value === 'object' && value !== null ? { ...base, ...value } : value;
  }
  return merged as ConfigInput;
}

/** Entra's token endpoint answering with the recorded token (or `status`/`body`). */
export function mockToken(
  reply: { status: number; body: unknown } = { status: 200, body: readFixture('token.json') },
  host = 'https://login.microsoftonline.com',
): nock.Scope {
  return nock(host)
    .post(`/${TENANT}/oauth2/v2.0/token`)
    .query(true)
    .reply(reply.status, reply.body as nock.Body);
}

export const JSON_HEADERS = { 'content-type': 'application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8' };

/** `GET contacts` answered with a fixture; every `$filter` received is pushed to `filters`. */
export function mockContacts(fixture: string, filters: string[] = [], status = 200, headers: Record<string, string> = JSON_HEADERS): nock.Scope {
  return nock(ORG)
    .get(`${API}/contacts`)
    .query((query) => {
      filters.push(String(query['$filter']));
      return true;
    })
    .reply(status, readFixture(fixture) as nock.Body, headers);
}

/** A log sink that keeps every line for assertions. */
export function captureLog(): { lines: LogLine[]; sink: (line: LogLine) => void } {
  const lines: LogLine[] = [];
  return { lines, sink: (line) => lines.push(line) };
}

/** Runs a hook and records each callback/error call. */
export async function callHook(
  hook: (args: never, callback: unknown, error: unknown) => Promise<void>,
  args: unknown,
): Promise<{ calls: Array<{ via: 'callback' | 'error'; value: unknown }>; returned: unknown }> {
  const calls: Array<{ via: 'callback' | 'error'; value: unknown }> = [];
  const returned = await hook(
    args as never,
    (value: unknown) => calls.push({ via: 'callback', value }),
    (value: unknown) => calls.push({ via: 'error', value }),
  );
  return { calls, returned };
}

/**
 * For suites that load BUILT hooks: the client secret is set as a variable for the file (the
 * runtime's way), and whatever `track` is given is unloaded after each test.
 */
export function useBuiltHooks(): { track: (unload: () => void) => void } {
  const loaded: Array<() => void> = [];
  beforeAll(() => {
    process.env['DYNAMICS_CLIENT_SECRET'] = SECRET;
  });
  afterAll(() => {
    delete process.env['DYNAMICS_CLIENT_SECRET'];
  });
  afterEach(() => {
    // Newest first: each load saved the globals the previous one had set.
    for (const unload of loaded.splice(0).reverse()) unload();
  });
  return { track: (unload) => loaded.push(unload) };
}

/** One build per hook and config for the whole run: building is the slow part of a built-file test. */
const builtCode = new Map<string, Promise<string>>();

/**
 * The built `kind` hook for `config`, loaded as Strivacity loads it and unloaded after the test
 * (through `useBuiltHooks().track`).
 */
export async function loadBuilt(builtHooks: ReturnType<typeof useBuiltHooks>, kind: HookKind, config: ConfigInput): Promise<BuiltHookFunction> {
  const key = `${kind}:${JSON.stringify(config)}`;
  if (!builtCode.has(key))
    builtCode.set(
      key,
      buildHook(kind, config).then((built) => built.code),
    );
  const { hook, unload } = loadBuiltHook(await (builtCode.get(key) as Promise<string>), strivacityGlobals());
  builtHooks.track(unload);
  return hook;
}

/** What the built hooks print (one JSON log line each), captured for every test instead of printed. */
export function capturePrinted(): { printed: () => string[]; lines: () => Array<Record<string, unknown>> } {
  let printed: string[] = [];
  beforeEach(() => {
    printed = [];
    for (const method of ['log', 'error'] as const) vi.spyOn(console, method).mockImplementation((text: unknown) => void printed.push(String(text)));
  });
  return { printed: () => printed, lines: () => printed.map((text) => JSON.parse(text) as Record<string, unknown>) };
}
