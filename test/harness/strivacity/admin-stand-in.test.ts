/**
 * The Admin API stand-in itself: it refuses what the published documents do not allow (and says
 * why), and it answers what they do allow.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AdminStandIn, startAdminStandIn } from '../../../src/harness/strivacity/admin-stand-in.js';
import { STAND_IN_CONTRACT } from '../../../src/harness/strivacity/stand-in-contract.js';
import { allowLoopback } from '../../../src/harness/strivacity/stand-in-world.js';

let standIn: AdminStandIn;
const BASIC = `Basic ${Buffer.from('client:secret').toString('base64')}`;

beforeAll(async () => {
  standIn = await startAdminStandIn({ clientId: 'client', clientSecret: 'secret' });
});
afterAll(() => standIn.close());
beforeEach(() => {
  allowLoopback();
  standIn.rejected.splice(0);
  standIn.state.hooks.clear();
});

async function token(): Promise<string> {
  const response = await fetch(`${standIn.url}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', audience: standIn.url, scope: 'read:config_event_hook write:config_event_hook' }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

async function createHook(body: unknown, contentType = 'application/json'): Promise<Response> {
  return fetch(`${standIn.url}/admin/api/v1/eventHooks/function`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await token()}`, 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const VALID_HOOK = { name: 'Dynamics pre-registration', hook: 'PRE_REGISTRATION', blocking: true, packageDependencies: {}, code: 'module.exports = 1;' };

describe('the Admin API stand-in', () => {
  it('creates a hook from a request that matches the documented operation', async () => {
    const response = await createHook(VALID_HOOK);
    expect(response.status).toBe(201);
    expect(standIn.rejected).toEqual([]);
  });

  it('refuses code over 256,000 characters with a 400 that names the field', async () => {
    const response = await createHook({ ...VALID_HOOK, code: 'x'.repeat(256_001) });
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { fieldErrors: Array<{ message: string }> };
    expect(problem.fieldErrors.map((error) => error.message).join(' ')).toMatch(/requestBody\/code must NOT have more than 256000 characters/);
    expect(standIn.rejected).toHaveLength(1);
  });

  it('refuses a variable name the documented pattern does not allow', async () => {
    const response = await createHook({ ...VALID_HOOK, variables: [{ name: '1BAD-NAME', type: 'secret', required: true, default: { type: 'noValue' } }] });
    expect(response.status).toBe(400);
    expect(standIn.rejected[0]?.errors.join(' ')).toMatch(/variables\/0\/name must match pattern/);
  });

  it('refuses a hook without its required fields and an unknown hook type', async () => {
    expect((await createHook({ name: 'No type' })).status).toBe(400);
    expect((await createHook({ ...VALID_HOOK, hook: 'PRE_SOMETHING' })).status).toBe(400);
    expect(standIn.rejected).toHaveLength(2);
  });

  it('refuses a body sent with a content type the operation does not declare', async () => {
    const response = await createHook(JSON.stringify(VALID_HOOK), 'text/plain');
    expect(response.status).toBe(415);
  });

  it('answers 401 to a request without a token and 404 to an undocumented path', async () => {
    expect((await fetch(`${standIn.url}/admin/api/v1/eventHooks/function`)).status).toBe(401);
    expect((await fetch(`${standIn.url}/admin/api/v1/eventHooks/unknown`)).status).toBe(404);
  });

  it('refuses a token request with wrong client credentials', async () => {
    const response = await fetch(`${standIn.url}/oauth2/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('client:wrong').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', audience: standIn.url, scope: 'read:config_event_hook' }),
    });
    expect(response.status).toBe(401);
  });

  it('gives a hook created without code the generated code and sample body of its type', async () => {
    const withoutCode: Record<string, unknown> = { ...VALID_HOOK };
    delete withoutCode['code'];
    const created = (await (await createHook({ ...withoutCode, hook: 'POST_ACCOUNT_UPDATE', blocking: false })).json()) as { id: string };
    const response = await fetch(`${standIn.url}/admin/api/v1/eventHooks/function/${created.id}`, { headers: { authorization: `Bearer ${await token()}` } });
    expect(await response.json()).toMatchObject(STAND_IN_CONTRACT.generated('POST_ACCOUNT_UPDATE'));
    expect(STAND_IN_CONTRACT.generated('POST_ACCOUNT_UPDATE').code).toMatch(/^\/\/ dynamics-hook stand-in: an INVENTED template/);
    expect(standIn.rejected).toEqual([]);
  });

  it('serves the descriptor and the plugin library as documented, and 404 for what they do not document', async () => {
    const get = async (path: string) => fetch(`${standIn.url}${path}`, { headers: { authorization: `Bearer ${await token()}` } });
    const descriptor = (await (await get('/admin/api/v1/eventHooks/descriptor')).json()) as Array<{
      name: string;
      blocking: string;
      target: string;
      count: number;
    }>;
    expect(descriptor).toHaveLength(24);
    expect(descriptor.find((row) => row.name === 'PRE_REGISTRATION')).toEqual({ name: 'PRE_REGISTRATION', blocking: 'YES', target: 'application', count: 0 });
    expect(await (await get('/admin/api/v2/pluginLibrary/eventHookSnippets/POST_TOKEN_REFRESH')).json()).toEqual([]);
    expect((await get('/admin/api/v2/pluginLibrary/eventHookSnippets/PRE_REGISTRATION/deny-by-email-domain')).status).toBe(200);
    expect((await get('/admin/api/v2/pluginLibrary/eventHooks/no-such-integration')).status).toBe(404);
    // The journey half needs read:config_journey, which dynamics-hook never asks for: not in the document.
    expect((await get('/admin/api/v2/pluginLibrary/categories')).status).toBe(404);
  });

  it('answers 403 when the token lacks the scope the operation requires', async () => {
    const response = await fetch(`${standIn.url}/admin/api/v1/eventHooks/logs`, { headers: { authorization: `Bearer ${await token()}` } });
    expect(response.status).toBe(403);
  });
});
