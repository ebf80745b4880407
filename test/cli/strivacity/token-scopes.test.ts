/**
 * The token endpoint's answers read as what they are (RFC 6749 section 5.2), against the Admin API
 * stand-in through real HTTP: a refused scope (`invalid_scope`) names the scopes and the access
 * policy, a grant of fewer scopes than the command needs stops it before any operation is called,
 * `invalid_client` points at the credentials, and the other refusals keep one line each.
 */
import { describe, expect, it } from 'vitest';
import { useAdminHarness } from './helpers.js';

const harness = useAdminHarness();
const TOKEN = 'Strivacity Admin API token request (POST /oauth2/token)';
const GRANT = 'Grant them to this client in the Strivacity console, in the API access policy that covers it, then run again.';

function deploy(...extra: string[]) {
  return harness.run(
    'deploy',
    '--strivacity',
    harness.standIn.url,
    '--config',
    harness.configFile,
    '--poll-ms',
    '0',
    '--backup-dir',
    `${harness.dir}/b`,
    ...extra,
  );
}

const operations = () => harness.standIn.requests.filter((request) => request.operationId !== 'tokenpost');

describe('token endpoint refusals', () => {
  it('names the scopes asked for when the endpoint refuses one with invalid_scope, and calls nothing', async () => {
    harness.standIn.settings.grantedScopes = ['read:config_event_hook'];
    harness.standIn.settings.ungrantedScope = 'refuse';
    const { code, out } = await deploy();
    expect(code).toBe(1);
    expect(out).toBe(
      `${TOKEN} answered 400 invalid_scope: this client may not have the scopes asked for (read:config_event_hook write:config_event_hook). ${GRANT}`,
    );
    expect(operations()).toEqual([]);
  });

  it('stops before any call when the grant lacks a scope the command needs, naming the missing one', async () => {
    harness.standIn.settings.grantedScopes = ['read:config_event_hook'];
    const { code, out } = await deploy();
    expect(code).toBe(1);
    expect(out).toBe(`${TOKEN} granted only read:config_event_hook: this command needs write:config_event_hook too, so nothing was called. ${GRANT}`);
    expect(operations()).toEqual([]);
  });

  it('asks each command for its own scopes: a dry run needs only read:config_event_hook', async () => {
    harness.standIn.settings.grantedScopes = ['read:config_event_hook'];
    const { code } = await deploy('--dry-run');
    expect(code).toBe(0);
  });

  it('says so when none of the scopes asked for was granted (logs needs read:event_hook_log)', async () => {
    harness.standIn.settings.grantedScopes = ['read:config_event_hook', 'write:config_event_hook'];
    const { code, out } = await harness.run('logs', '--strivacity', harness.standIn.url);
    expect(code).toBe(1);
    expect(out).toBe(`${TOKEN} granted none of the scopes asked for: this command needs read:event_hook_log too, so nothing was called. ${GRANT}`);
    expect(operations()).toEqual([]);
  });

  it('stops a tryout whose grant lacks delete:config_event_hook before it creates anything it could not delete', async () => {
    harness.standIn.settings.grantedScopes = ['read:config_event_hook', 'write:config_event_hook'];
    const { code, out } = await harness.run('tryout', '--strivacity', harness.standIn.url, '--config', harness.configFile);
    expect(code).toBe(1);
    expect(out).toContain(`${TOKEN} granted only read:config_event_hook write:config_event_hook: this command needs delete:config_event_hook too`);
    expect(harness.standIn.state.hooks.size).toBe(0);
  });

  it('points a 400 invalid_client at the credentials', async () => {
    harness.standIn.faults.push({ operationId: 'tokenpost', status: 400, body: { error: 'invalid_client' } });
    const { code, out } = await deploy('--dry-run');
    expect(code).toBe(1);
    expect(out).toBe(
      `${TOKEN} answered 400 invalid_client: the client credentials were refused. Check STRIVACITY_CLIENT_ID / STRIVACITY_CLIENT_SECRET (an API client of this instance) and --strivacity.`,
    );
  });

  it('explains unauthorized_client as a client that may not use the client credentials grant', async () => {
    harness.standIn.faults.push({ operationId: 'tokenpost', status: 400, body: { error: 'unauthorized_client' } });
    const { out } = await deploy('--dry-run');
    expect(out).toBe(
      `${TOKEN} answered 400 unauthorized_client: this client may not use the client credentials grant. Make it an Admin API client (machine to machine) of this instance in the Strivacity console.`,
    );
  });

  it('explains invalid_request (a wrong audience) as a request the endpoint refused, pointing at --strivacity', async () => {
    harness.standIn.faults.push({ operationId: 'tokenpost', status: 400, body: { error: 'invalid_request', error_description: 'audience \u001b]0;x\u0007' } });
    const { code, out } = await deploy('--dry-run');
    expect(code).toBe(1);
    expect(out).toBe(
      `${TOKEN} answered 400 invalid_request: the token endpoint refused the request itself. Check that --strivacity is the instance's own URL (it is sent as the audience); if it is, report this line.`,
    );
  });

  it('never prints an error code the RFC does not define, nor the error_description', async () => {
    harness.standIn.faults.push({ operationId: 'tokenpost', status: 400, body: { error: '\u001b[2Jpwned', error_description: 'call +1 555' } });
    const { out } = await deploy('--dry-run');
    expect(out).toBe(
      `${TOKEN} answered 400: the client credentials were refused. Check STRIVACITY_CLIENT_ID / STRIVACITY_CLIENT_SECRET (an API client of this instance) and --strivacity.`,
    );
  });

  it('keeps a 5xx of the token endpoint a server error, after its retries', async () => {
    harness.standIn.faults.push({ operationId: 'tokenpost', status: 503, times: 50 });
    const { code, out } = await deploy('--dry-run');
    expect(code).toBe(1);
    expect(out).toMatch(new RegExp(`^${TOKEN.replace(/[()]/g, '\\$&')} answered 503: Strivacity had a server error`));
  });
});
