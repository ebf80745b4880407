/**
 * Every failure class of the Admin API, each printed as one line with its cause and its fix, with
 * retries only where they are safe (GET/PUT/DELETE and the token; never a POST that creates,
 * deploys or runs code). Output never carries the client secret or a token (checked by the harness).
 */
import { createServer } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { useAdminHarness } from './helpers.js';

const harness = useAdminHarness();

function dryRun(url = harness.standIn.url) {
  return harness.run('deploy', '--strivacity', url, '--config', harness.configFile, '--dry-run');
}

function deploy() {
  return harness.run('deploy', '--strivacity', harness.standIn.url, '--config', harness.configFile, '--poll-ms', '0', '--backup-dir', `${harness.dir}/b`);
}

const calls = (operationId: string) => harness.standIn.requests.filter((request) => request.operationId === operationId).length;

describe('Admin API failures', () => {
  it('names the missing credential variables before sending anything', async () => {
    vi.stubEnv('STRIVACITY_CLIENT_ID', undefined);
    vi.stubEnv('STRIVACITY_CLIENT_SECRET', '');
    const { code, out } = await dryRun();
    expect(code).toBe(1);
    expect(out).toBe(
      'STRIVACITY_CLIENT_ID and STRIVACITY_CLIENT_SECRET not set: export the id and secret of an Admin API client of your Strivacity instance (never pass them as flags).',
    );
    expect(harness.standIn.requests).toEqual([]);
  });

  it('refuses a --strivacity URL that would send the secret over plain http', async () => {
    const { code, out } = await dryRun('http://tenant.strivacity.com');
    expect(code).toBe(2);
    expect(out).toBe(
      "--strivacity must be an https URL without credentials: https://<tenant>.strivacity.com. Run 'npx dynamics-hook deploy --help' for its options.",
    );
  });

  it('explains a 401 invalid_client from the token endpoint as refused client credentials', async () => {
    vi.stubEnv('STRIVACITY_CLIENT_SECRET', 'not-the-secret');
    const { code, out } = await dryRun();
    expect(code).toBe(1);
    expect(out).toBe(
      'Strivacity Admin API token request (POST /oauth2/token) answered 401 invalid_client: the client credentials were refused. Check STRIVACITY_CLIENT_ID / STRIVACITY_CLIENT_SECRET (an API client of this instance) and --strivacity.',
    );
    expect(calls('getAllEventHookFunctions')).toBe(0);
  });

  it('explains a 401 from an operation as a token that was not accepted', async () => {
    harness.standIn.faults.push({ operationId: 'getAllEventHookFunctions', status: 401 });
    const { out } = await dryRun();
    expect(out).toMatch(/^Strivacity Admin API getAllEventHookFunctions answered 401: the access token was not accepted\. Check STRIVACITY_CLIENT_ID/);
  });

  it('names the missing scope on a 403 of an operation (a grant that listed it) and where to grant it', async () => {
    harness.standIn.faults.push({ operationId: 'createEventHookFunction', status: 403 });
    const { code, out } = await deploy();
    expect(code).toBe(1);
    expect(out).toMatch(
      /Strivacity Admin API createEventHookFunction answered 403: the client lacks the scope write:config_event_hook\. Grant it in the Strivacity console, in the API access policy that covers this client\.$/,
    );
  });

  it('explains a 404', async () => {
    await deploy();
    harness.standIn.faults.push({ operationId: 'getEventHookFunctionById', status: 404 });
    const { code, out } = await dryRun();
    expect(code).toBe(1);
    expect(out).toBe(
      'Strivacity Admin API getEventHookFunctionById answered 404 (not found): the hook or resource does not exist (any more). Check --name and --hook, or run deploy to create the hook.',
    );
  });

  it('explains a 409', async () => {
    harness.standIn.faults.push({ operationId: 'createEventHookFunction', status: 409 });
    const { code, out } = await deploy();
    expect(code).toBe(1);
    expect(out).toMatch(/Strivacity Admin API createEventHookFunction answered 409 \(conflict\): a hook with this name exists with another type/);
  });

  it("prints the API's fieldErrors of a 400", async () => {
    harness.standIn.faults.push({
      operationId: 'createEventHookFunction',
      status: 400,
      body: { fieldErrors: [{ field: 'code', message: 'size must be between 1 and 256000', objectName: 'eventHookFunction' }] },
    });
    const { code, out } = await deploy();
    expect(code).toBe(1);
    expect(out).toMatch(
      /Strivacity Admin API createEventHookFunction answered 400 \(bad request\): code: size must be between 1 and 256000\. Fix the config or the file and run again\.$/,
    );
  });

  it('withholds the message of a field error about a secret, which could quote its value', async () => {
    harness.standIn.faults.push({
      operationId: 'createEventHookFunction',
      status: 400,
      body: { fieldErrors: [{ field: 'variables[0].default.secretValue', message: 'value hunter2 is too long' }] },
    });
    const { out } = await deploy();
    expect(out).toContain('(bad request): variables[0].default.secretValue: (message withheld: it concerns a secret).');
    expect(out).not.toContain('hunter2');
  });

  it('retries a GET that met a 5xx, and succeeds', async () => {
    harness.standIn.faults.push({ operationId: 'getAllEventHookFunctions', status: 503, times: 2 });
    const { code } = await dryRun();
    expect(code).toBe(0);
    expect(calls('getAllEventHookFunctions')).toBe(3);
  });

  it('gives up on a GET after the retries, with one line', async () => {
    harness.standIn.faults.push({ operationId: 'getAllEventHookFunctions', status: 500, times: 3 });
    const { code, out } = await dryRun();
    expect(code).toBe(1);
    expect(out).toBe(
      'Strivacity Admin API getAllEventHookFunctions answered 500: Strivacity had a server error (retried where safe). Try again in a few minutes; if it persists, contact Strivacity support.',
    );
    expect(calls('getAllEventHookFunctions')).toBe(3);
  });

  it('never repeats a POST that met a 5xx (a deploy is not idempotent)', async () => {
    harness.standIn.faults.push({ operationId: 'deployEventHookFunction', status: 502 });
    const { code, out } = await deploy();
    expect(code).toBe(1);
    expect(out).toMatch(/Strivacity Admin API deployEventHookFunction answered 502: Strivacity had a server error/);
    expect(calls('deployEventHookFunction')).toBe(1);
  });

  it('retries a GET whose connection was dropped', async () => {
    harness.standIn.faults.push({ operationId: 'getAllEventHookFunctions', status: 'reset' });
    const { code } = await dryRun();
    expect(code).toBe(0);
    expect(calls('getAllEventHookFunctions')).toBe(2);
  });

  it('explains an unreachable instance as a network failure with its cause', async () => {
    // A port that was free a moment ago: nothing listens there.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    const { code, out } = await dryRun(`http://127.0.0.1:${port}`);
    expect(code).toBe(1);
    expect(out).toBe(
      "Strivacity Admin API token request (POST /oauth2/token) could not be reached (ECONNREFUSED), retried where safe. Check --strivacity, this machine's network and proxy, then run again.",
    );
  });
});
