/**
 * The `contract` engine end to end over real HTTP, against the Admin API stand-in (which validates
 * every request against the published operations: the harness fails a test that sent one it
 * refused) and, for what the stand-in never answers, a hostile server: one type and every type,
 * the files, no temporary hook left behind (also when interrupted), a failed delete reported with
 * the hook's id, a missing scope named before any operation, escape sequences stripped, sample
 * values never printed.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_PROBE_PAGES } from '../../../src/cli/commands/contract/contract-client.js';
import { type ContractOptions, runContract } from '../../../src/cli/commands/contract/run-contract.js';
import { CliError } from '../../../src/cli/errors.js';
import { HOOK_TYPES } from '../../../src/harness/strivacity/admin-api-schemas.js';
import { STAND_IN_CONTRACT } from '../../../src/harness/strivacity/stand-in-contract.js';
import { expectNothingSecret, useAdminHarness } from './helpers.js';
import { type HostileServer, startHostileServer } from './hostile-server.js';

const harness = useAdminHarness();
// eslint-disable-next-line no-control-regex -- what must never reach a terminal
const CONTROL_BYTE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
/** A title change, a screen clear, an OSC 52 clipboard write and a C1 CSI. */
const ESC = '\u001b]0;owned\u0007\u001b[2J\u001b]52;c;Y3VybCBldmlsfHNo\u0007\u009b31m';
const GRANT = 'Grant them to this client in the Strivacity console, in the API access policy that covers it, then run again.';

interface Outcome {
  readonly exitCode: number;
  readonly error: unknown;
  readonly out: string;
  readonly err: string;
}

/** Runs the engine with its output captured; every line is scanned for secrets. */
async function contract(options: Partial<ContractOptions> = {}, signal: AbortSignal = new AbortController().signal): Promise<Outcome> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io = { stdout: (text: string) => stdout.push(text), stderr: (text: string) => stderr.push(text), signal };
  const outcome = await runContract({ strivacity: harness.standIn.url, types: ['PRE_REGISTRATION'], json: false, ...options }, io).then(
    (result) => ({ exitCode: result.exitCode, error: undefined }),
    (error: unknown) => ({ exitCode: error instanceof CliError ? error.exitCode : -1, error }),
  );
  const result = { ...outcome, out: stdout.join('\n'), err: stderr.join('\n') };
  expectNothingSecret(`${result.out}\n${result.err}\n${outcome.error instanceof Error ? outcome.error.message : ''}`);
  return result;
}

const operations = () => harness.standIn.requests.filter((request) => request.operationId !== 'tokenpost').map((request) => request.operationId);
const outDir = () => mkdtempSync(join(tmpdir(), 'contract-'));
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

describe('contract against the stand-in', () => {
  it('reads one type: prints the descriptor, the Dynamics templates and the type contract, and leaves no hook behind', async () => {
    const { exitCode, out, err } = await contract();
    expect(exitCode).toBe(0);
    expect(err).toBe('');
    expect(out).toContain(`Hook types of ${harness.standIn.url} (GET /admin/api/v1/eventHooks/descriptor): 24`);
    expect(out).toMatch(/\n {2}POST_ACCOUNT_UPDATE +NO +identityStore +0\n/);
    expect(out).toContain('Plugin library: Microsoft Dynamics 365 (microsoft-dynamics-365): 1 template: PRE_REGISTRATION "Before registration"');
    expect(out).toContain('PRE_REGISTRATION: blocking YES, target application');
    expect(out).toMatch(/temporary hook +"dynamics-hook contract probe PRE_REGISTRATION [0-9a-f]{8}": created, read back, deleted/);
    expect(out).toContain('customer.attributes, customer.identifiers, customer.consents, session, continue_context');
    expect(out).toContain('arguments (sample)    application.name, application.client_id, oidc_context.acr_values[]');
    expect(out).toContain('customer.attributes.emails.primaryEmail');
    expect(out).toContain(
      'result classes        RegistrationData (declared in the code), RedirectRequest (runtime global), ShowErrorMessage (runtime global), ErrorDenyRequest (runtime global), AdditionalAuthenticator (declared in the code)',
    );
    expect(out).toContain(
      'exported function     ({ application, oidc_context, customer, session, continue_context, continue_request_parameters }, callback, error)',
    );
    expect(out).toContain('callback parameters   callback, error');
    expect(out).toContain('snippets              "Deny registration by email domain" (deny-by-email-domain)');
    expect(out).toContain('Done: 1 type read, every temporary hook was deleted; nothing saved (--out <dir> saves the code and bodies); nothing was deployed.');
    // Paths, never values: the sample's email stays out of the output.
    expect(out).not.toContain('person@example.com');
    expect(operations()).toEqual([
      'getAllEventHooks',
      'getEventHooks',
      'getEventHookIntegration',
      'getSnippets',
      'createEventHookFunction',
      'getEventHookFunctionById',
      'deleteEventHookFunction',
    ]);
    expect(harness.standIn.state.hooks.size).toBe(0);
  });

  it('sends only requests the published operations allow: the create has no code, so the stand-in generated it', async () => {
    const dir = outDir();
    const { exitCode } = await contract({ types: ['post_identification'], outDir: dir });
    expect(exitCode).toBe(0);
    expect(harness.standIn.rejected).toEqual([]);
    const paths = harness.standIn.requests.map((request) => `${request.method} ${request.path}`);
    expect(paths).toContain('GET /admin/api/v2/pluginLibrary/eventHookSnippets/POST_IDENTIFICATION');
    expect(paths).toContain('POST /admin/api/v1/eventHooks/function');
    expect(readFileSync(join(dir, 'POST_IDENTIFICATION.default.js'), 'utf8')).toBe(STAND_IN_CONTRACT.generated('POST_IDENTIFICATION').code);
  });

  it('reads every type with all: 24 temporary hooks created and deleted, one block per type', async () => {
    const dir = outDir();
    const { exitCode, out } = await contract({ types: 'all', outDir: dir });
    expect(exitCode).toBe(0);
    for (const type of HOOK_TYPES) expect(out).toContain(`\n${type}: blocking `);
    expect(operations().filter((operation) => operation === 'createEventHookFunction')).toHaveLength(24);
    expect(operations().filter((operation) => operation === 'deleteEventHookFunction')).toHaveLength(24);
    expect(harness.standIn.state.hooks.size).toBe(0);
    expect(out).toContain('Done: 24 types read, every temporary hook was deleted; files in');
    expect(readdirSync(dir)).toHaveLength(24 * 3 + 2);
    // An asynchronous type of the stand-in passes no callback: the report says so.
    expect(out).toMatch(/POST_ACCOUNT_DELETION: blocking NO[\s\S]*?callback parameters {3}none \(Strivacity gets no answer from this type\)/);
  });

  it('writes the generated code as received, the sample body as indented JSON, the snippets and the Dynamics templates', async () => {
    const dir = outDir();
    const { exitCode, out } = await contract({ outDir: join(dir, 'new', 'folder') });
    expect(exitCode).toBe(0);
    const folder = join(dir, 'new', 'folder');
    expect(readdirSync(folder).sort()).toEqual([
      'PRE_REGISTRATION.default.js',
      'PRE_REGISTRATION.request.json',
      'PRE_REGISTRATION.snippets.json',
      'dynamics-365.PRE_REGISTRATION.js',
      'dynamics-365.integration.json',
    ]);
    const generated = STAND_IN_CONTRACT.generated('PRE_REGISTRATION');
    expect(readFileSync(join(folder, 'PRE_REGISTRATION.default.js'), 'utf8')).toBe(generated.code);
    expect(JSON.parse(readFileSync(join(folder, 'PRE_REGISTRATION.request.json'), 'utf8'))).toEqual(JSON.parse(generated.requestBody));
    expect(JSON.parse(readFileSync(join(folder, 'PRE_REGISTRATION.snippets.json'), 'utf8'))).toEqual([
      {
        id: 'deny-by-email-domain',
        name: 'Deny registration by email domain',
        description: 'Refuses registrations whose primary email is of a listed domain.',
      },
    ]);
    const integration = JSON.parse(readFileSync(join(folder, 'dynamics-365.integration.json'), 'utf8')) as { hooks: Record<string, { code: string }> };
    expect(readFileSync(join(folder, 'dynamics-365.PRE_REGISTRATION.js'), 'utf8')).toBe(integration.hooks['PRE_REGISTRATION']?.code);
    expect(out).toContain(`files                 ${join(folder, 'PRE_REGISTRATION.default.js')}, ${join(folder, 'PRE_REGISTRATION.request.json')}`);
  });

  it('prints one JSON document with --json: paths and names, no sample value', async () => {
    const { exitCode, out } = await contract({ json: true });
    expect(exitCode).toBe(0);
    const document = JSON.parse(out) as {
      descriptor: unknown[];
      types: Array<{ type: string; body: { paths: string[] }; exported: { callbacks: string[] } }>;
      leftBehind: unknown[];
      deployed: boolean;
    };
    expect(document.descriptor).toHaveLength(24);
    expect(document.types.map((type) => type.type)).toEqual(['PRE_REGISTRATION']);
    expect(document.types[0]?.body.paths).toContain('customer.attributes.emails.primaryEmail');
    expect(document.types[0]?.exported.callbacks).toEqual(['callback', 'error']);
    expect(document).toMatchObject({ leftBehind: [], deployed: false });
    expect(out).not.toContain('person@example.com');
  });

  it('without a type reads the descriptor and the plugin library only, with the read scope alone, and creates nothing', async () => {
    harness.standIn.settings.grantedScopes = ['read:config_event_hook'];
    const { exitCode, out } = await contract({ types: [] });
    expect(exitCode).toBe(0);
    expect(out).toContain('Done: 0 types read; nothing was deployed.');
    expect(operations()).toEqual(['getAllEventHooks', 'getEventHooks', 'getEventHookIntegration']);
  });

  it('refuses a type the descriptor does not list, before creating anything (exit code 2)', async () => {
    const { exitCode, error } = await contract({ types: ['PRE_REGISTRATION', 'POST_ANYTHING'] });
    expect(exitCode).toBe(2);
    expect(messageOf(error)).toMatch(/^--type POST_ANYTHING: not a hook type of this instance\. Its descriptor lists: DENY_AUTHENTICATION, /);
    expect(operations()).toEqual(['getAllEventHooks']);
  });
});

describe('contract cleans up', () => {
  it('deletes the temporary hook when interrupted while reading it back, reads no further type, and exits 130', async () => {
    const controller = new AbortController();
    harness.standIn.settings.onOperation = (operationId) => {
      if (operationId === 'getEventHookFunctionById') controller.abort();
    };
    const { exitCode, error, err } = await contract({ types: ['PRE_REGISTRATION', 'POST_REGISTRATION'] }, controller.signal);
    expect(exitCode).toBe(130);
    expect(messageOf(error)).toBe('Interrupted: every temporary hook was deleted; nothing was deployed.');
    expect(err).toBe('Interrupted: deleting the temporary hook first...');
    expect(operations().slice(-3)).toEqual(['createEventHookFunction', 'getEventHookFunctionById', 'deleteEventHookFunction']);
    expect(operations().filter((operation) => operation === 'createEventHookFunction')).toHaveLength(1);
    expect(harness.standIn.state.hooks.size).toBe(0);
  });

  it('finds and deletes a hook whose create was interrupted before its answer arrived', async () => {
    const controller = new AbortController();
    harness.standIn.settings.onOperation = (operationId) => {
      if (operationId === 'createEventHookFunction') controller.abort();
    };
    const { exitCode } = await contract({}, controller.signal);
    expect(exitCode).toBe(130);
    expect(operations().slice(-3)).toEqual(['createEventHookFunction', 'getAllEventHookFunctions', 'deleteEventHookFunction']);
    expect(harness.standIn.state.hooks.size).toBe(0);
  });

  it('says plainly which hook it could not delete, with its id, and exits 1', async () => {
    harness.standIn.faults.push({ operationId: 'deleteEventHookFunction', status: 409 });
    const { exitCode, out, err } = await contract();
    expect(exitCode).toBe(1);
    const [left] = [...harness.standIn.state.hooks.values()];
    expect(left?.name).toMatch(/^dynamics-hook contract probe PRE_REGISTRATION [0-9a-f]{8}$/);
    expect(err).toBe(
      `Could not delete the temporary PRE_REGISTRATION hook "${left?.name}" (id ${left?.id}): Strivacity Admin API deleteEventHookFunction answered 409 (conflict): the hook is assigned to an application or identity store and cannot be removed. Delete it in the console (Lifecycle Event Hooks) or DELETE /admin/api/v1/eventHooks/function/${left?.id}.`,
    );
    expect(out).toContain('created, read back, NOT deleted (see above)');
    expect(out).toContain('Done: 1 type read, 1 temporary hook(s) could NOT be deleted (see above)');
  });

  it('still deletes the hook when reading it back fails, and reports the failure itself', async () => {
    harness.standIn.faults.push({ operationId: 'getEventHookFunctionById', status: 503, times: 3 });
    const { exitCode, error } = await contract();
    expect(exitCode).toBe(1);
    expect(messageOf(error)).toMatch(/^Strivacity Admin API getEventHookFunctionById answered 503: Strivacity had a server error/);
    expect(operations().at(-1)).toBe('deleteEventHookFunction');
    expect(harness.standIn.state.hooks.size).toBe(0);
  });
});

describe('contract and the token scopes', () => {
  it('names the missing delete scope and calls no operation', async () => {
    harness.standIn.settings.grantedScopes = ['read:config_event_hook', 'write:config_event_hook'];
    const { exitCode, error } = await contract();
    expect(exitCode).toBe(1);
    expect(messageOf(error)).toBe(
      `Strivacity Admin API token request (POST /oauth2/token) granted only read:config_event_hook write:config_event_hook: this command needs delete:config_event_hook too, so nothing was called. ${GRANT}`,
    );
    expect(operations()).toEqual([]);
  });
});

describe('contract against hostile answers', () => {
  let server: HostileServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('strips escape sequences from every text it prints, writes no file named by the API outside its folder, and never prints a sample value', async () => {
    const code = '/**\n * @param {Object} args\n * @param {string} args.customer.store\n */\nmodule.exports = async function (args, callback) {};\n';
    server = await startHostileServer(({ method, path }) => {
      if (path === '/admin/api/v1/eventHooks/descriptor')
        return {
          body: [
            { name: 'PRE_REGISTRATION', blocking: `YES${ESC}`, target: `application${ESC}`, count: 1 },
            { name: `EVIL${ESC}`, blocking: 'NO', target: 'application', count: 0 },
          ],
        };
      if (path === '/admin/api/v2/pluginLibrary/eventHooks') return { body: { [`dyn${ESC}`]: { displayName: `Microsoft Dynamics 365${ESC}` } } };
      if (path.startsWith('/admin/api/v2/pluginLibrary/eventHooks/'))
        return { body: { displayName: 'Microsoft Dynamics 365', hooks: { [`../../escape${ESC}`]: { name: `n${ESC}`, code: 'x' } } } };
      if (path.startsWith('/admin/api/v2/pluginLibrary/eventHookSnippets/')) return { body: [{ id: `s${ESC}`, name: `Snippet${ESC}`, description: 'd' }] };
      if (method === 'POST') return { status: 201, body: { id: `h${ESC}1`, name: 'x', hook: 'PRE_REGISTRATION' } };
      if (method === 'GET')
        return { body: { id: `h${ESC}1`, code, requestBody: JSON.stringify({ customer: { [`k${ESC}ey`]: 'sample-value-never-printed' } }) } };
      return { status: 500, body: { title: `boom${ESC}` } };
    });
    const dir = outDir();
    const { exitCode, out, err } = await contract({ strivacity: server.url, types: 'all', outDir: dir });
    expect(exitCode).toBe(1);
    expect(`${out}\n${err}`).not.toMatch(CONTROL_BYTE);
    expect(out).toContain('PRE_REGISTRATION: blocking YES, target application');
    expect(out).toMatch(/\n {2}EVIL +NO +application +0/);
    expect(out).toContain('Plugin library: Microsoft Dynamics 365 (dyn): 1 template: ../../escape "n"');
    expect(out).toContain('snippets              "Snippet" (s)');
    expect(out).toContain('arguments (sample)    customer.key');
    expect(out).not.toContain('sample-value-never-printed');
    expect(err).toMatch(/^Could not delete the temporary PRE_REGISTRATION hook "dynamics-hook contract probe PRE_REGISTRATION [0-9a-f]{8}" \(id h1\): /);
    // Only the descriptor's probeable name was created; the template with a path for a key stays inside the JSON file.
    expect(server.requests.filter((request) => request.startsWith('POST /admin/api/v1/eventHooks/function'))).toHaveLength(1);
    expect(readdirSync(dir).sort()).toEqual([
      'PRE_REGISTRATION.default.js',
      'PRE_REGISTRATION.request.json',
      'PRE_REGISTRATION.snippets.json',
      'dynamics-365.integration.json',
    ]);
  });

  it('looks a lost create up by name in a bounded number of pages, then says the hook may exist', async () => {
    server = await startHostileServer(({ method, path }) => {
      if (path === '/admin/api/v1/eventHooks/descriptor') return { body: [{ name: 'PRE_REGISTRATION', blocking: 'YES', target: 'application', count: 0 }] };
      if (path === '/admin/api/v2/pluginLibrary/eventHooks') return { body: {} };
      if (path.startsWith('/admin/api/v2/pluginLibrary/eventHookSnippets/')) return { body: [] };
      if (method === 'POST') return { status: 502, body: {} };
      // An endless list of other hooks.
      return { body: { content: [{ id: 'other', name: 'other', hook: 'PRE_REGISTRATION' }], page: { number: 0, totalPages: 10_000 } } };
    });
    const { exitCode, error, err } = await contract({ strivacity: server.url });
    expect(exitCode).toBe(1);
    expect(messageOf(error)).toMatch(/^Strivacity Admin API createEventHookFunction answered 502/);
    expect(server.requests.filter((request) => request.startsWith('GET /admin/api/v1/eventHooks/function?'))).toHaveLength(MAX_PROBE_PAGES);
    expect(err).toMatch(
      /^Could not delete the temporary PRE_REGISTRATION hook "dynamics-hook contract probe PRE_REGISTRATION [0-9a-f]{8}": it may have been created, and the lookup by name failed: .*no hook ".*" in 5 pages, though the list claims more\. Delete it in the console \(Lifecycle Event Hooks\)\.$/,
    );
  });

  it('refuses a redirect from the descriptor and creates nothing', async () => {
    server = await startHostileServer(() => ({ status: 302, headers: { location: 'https://elsewhere.example/' } }));
    const { exitCode, error } = await contract({ strivacity: server.url });
    expect(exitCode).toBe(1);
    expect(messageOf(error)).toMatch(/^Strivacity Admin API getAllEventHooks answered 302 \(a redirect\), which dynamics-hook never follows/);
    expect(server.requests.filter((request) => !request.startsWith('POST /oauth2/token'))).toEqual(['GET /admin/api/v1/eventHooks/descriptor']);
  });
});
