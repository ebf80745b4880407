/**
 * The suite is offline by construction: nock is loaded before dynamics-web-api (test/setup.ts) and
 * net connect is disabled. If the import order were wrong, dynamics-web-api's ESM build would
 * bypass nock and this request would reach DNS (ENOTFOUND) instead of nock's refusal.
 */
import { DynamicsWebApi } from 'dynamics-web-api';
import nock from 'nock';
import { describe, expect, it } from 'vitest';

describe('the offline guard', () => {
  it("refuses an unmocked dynamics-web-api request with nock's error, not a DNS lookup", async () => {
    const client = new DynamicsWebApi({ serverUrl: 'https://unmocked-org.crm4.dynamics.com' });
    const failure: unknown = await client.retrieveMultiple({ collection: 'contacts', token: 'x' }).catch((error: unknown) => error);

    expect(failure).toMatchObject({ code: 'ENETUNREACH', name: 'NetConnectNotAllowedError' });
  });

  it('refuses an unmocked fetch (the transport msal-node uses) the same way', async () => {
    const failure: unknown = await fetch('https://login.microsoftonline.com/x/oauth2/v2.0/token', { method: 'POST' }).catch((error: unknown) => error);

    expect(failure).toMatchObject({ code: 'ENETUNREACH', name: 'NetConnectNotAllowedError' });
  });

  it("refuses a request that no interceptor of a mocked host matches without an HTTP status, so it cannot pass for Dataverse's 404", async () => {
    const serverUrl = 'https://mocked-org.crm4.dynamics.com';
    const scope = nock(serverUrl).get('/api/data/v9.2/contacts').query(true).reply(200, { value: [] });
    const client = new DynamicsWebApi({ serverUrl });
    await client.retrieveMultiple({ collection: 'contacts', token: 'x' });
    // The interceptor is consumed: a second request (a retry, say) matches nothing.
    const failure: unknown = await client.retrieveMultiple({ collection: 'contacts', token: 'x' }).catch((error: unknown) => error);

    expect(scope.isDone()).toBe(true);
    expect(failure).toMatchObject({ code: 'ERR_NOCK_NO_MATCH' });
    expect(failure).not.toHaveProperty('status');
    expect(failure).not.toHaveProperty('statusCode');
  });
});
