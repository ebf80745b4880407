/**
 * Token economy of the BUILT pre-registration hook, loaded as Strivacity loads it: a cold hook
 * under a burst shares one token request (test/hook/token.test.ts covers the sources).
 */
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { registrationPayload } from '../../src/harness/run-hook.js';
import { readFixture } from '../../src/harness/stand-in.js';
import { API, capturePrinted, configWith, JSON_HEADERS, loadBuilt, ORG, TENANT, useBuiltHooks } from '../support/helpers.js';

const builtHooks = useBuiltHooks();
// What is counted is requests, not time: the deadline is set far out so that a loaded machine (the
// load suite runs this beside two busy processes) cannot turn a slow answer into a timeout. Under
// load, 50 lookups through the limiter of 10 once took longer than the default 2,500 ms.
const CONFIG = configWith({ policy: { timeoutMs: 30_000 } });
capturePrinted();

/** Entra (each reply held back 50 ms, so that the burst overlaps the request in flight) and Dataverse, counted. */
function standIns(): { token: number; contacts: number } {
  const counts = { token: 0, contacts: 0 };
  nock('https://login.microsoftonline.com')
    .persist()
    .post(`/${TENANT}/oauth2/v2.0/token`)
    .query(true)
    .delay(50)
    .reply(() => {
      counts.token += 1;
      return [200, readFixture('token.json') as nock.Body];
    });
  nock(ORG)
    .persist()
    .get(`${API}/contacts`)
    .query(true)
    .reply(() => {
      counts.contacts += 1;
      return [200, readFixture('contacts-one.json') as nock.Body, JSON_HEADERS];
    });
  return counts;
}

describe('token requests through the built file', () => {
  it('50 concurrent registrations on a freshly loaded built hook: 1 token request, then 1 Dataverse request per registration', async () => {
    const counts = standIns();
    const hook = await loadBuilt(builtHooks, 'pre-registration', CONFIG);
    const register = () => new Promise<unknown>((resolve) => void hook(registrationPayload('ada.lovelace@example.com'), resolve, resolve));

    const cold = await Promise.all(Array.from({ length: 50 }, register));
    expect(new Set(cold.map((result) => (result as object).constructor.name))).toEqual(new Set(['RegistrationData']));
    expect(counts).toMatchObject({ token: 1, contacts: 50 });

    for (let i = 0; i < 10; i += 1) await register();
    expect(counts).toMatchObject({ token: 1, contacts: 60 });
  });
});
