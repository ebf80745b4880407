import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/hook/config.js';
import { runDoctor } from '../../src/cli/commands/doctor/doctor.js';
import { type DoctorReport, formatDoctorReport, type StepName } from '../../src/cli/commands/doctor/report.js';
import { readFixture } from '../../src/harness/stand-in.js';
import { ACCESS_TOKEN, API, BASE_CONFIG, CLIENT, configWith, JSON_HEADERS, mockToken, ORG, SECRET, TENANT } from '../support/helpers.js';

const WHOAMI = readFixture('dataverse-whoami.json') as { UserId: string };
const USER = WHOAMI.UserId;
const secrets = (name: string) => (name === 'DYNAMICS_CLIENT_SECRET' ? SECRET : undefined);

function entra(code: number): { status: number; body: unknown } {
  return readFixture(`entra-aadsts${code}.json`) as { status: number; body: unknown };
}

function mockWhoAmI(status = 200, body: unknown = WHOAMI, headers: Record<string, string> = JSON_HEADERS): nock.Scope {
  return nock(ORG)
    .get(`${API}/WhoAmI()`)
    .reply(status, body as nock.Body, headers);
}

function mockReadProbe(status = 200, body: unknown = readFixture('contacts-none.json')): nock.Scope {
  return nock(ORG)
    .get(`${API}/contacts`)
    .query(true)
    .reply(status, body as nock.Body, JSON_HEADERS);
}

function mockAttributes(status = 200, body: unknown = readFixture('dataverse-contact-attributes.json')): nock.Scope {
  return nock(ORG)
    .get(`${API}/EntityDefinitions(LogicalName='contact')/Attributes`)
    .query({ $select: 'LogicalName' })
    .reply(status, body as nock.Body, JSON_HEADERS);
}

function mockPrivileges(body: unknown = readFixture('dataverse-user-privileges.json')): nock.Scope {
  return nock(ORG)
    .get(`${API}/systemusers(${USER})/Microsoft.Dynamics.CRM.RetrieveUserPrivileges()`)
    .reply(200, body as nock.Body, JSON_HEADERS);
}

/** BASE_CONFIG naming the environment by organisation instead of URL. */
function byOrganization(organization: string): ConfigInput {
  return { ...BASE_CONFIG, dataverse: { organization } };
}

function step(report: DoctorReport, name: StepName) {
  const found = report.steps.find((s) => s.step === name);
  if (found === undefined) throw new Error(`no step ${name}`);
  return found;
}

/** The printed report must never carry the secret or the access token. */
function printed(report: DoctorReport): string {
  const text = `${formatDoctorReport(report)}\n${JSON.stringify(report)}`;
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain(ACCESS_TOKEN);
  return text;
}

describe('doctor on a healthy setup', () => {
  it('passes every step, with latency, and skips what does not apply', async () => {
    const scopes = [mockToken(), mockWhoAmI(), mockReadProbe(), mockAttributes(), mockPrivileges()];
    const report = await runDoctor(BASE_CONFIG, { readSecret: secrets });
    expect(report.ok).toBe(true);
    expect(report.steps.map((s) => `${s.step}:${s.status}`)).toEqual([
      'config:ok',
      'secret:ok',
      'discovery:skip',
      'token:ok',
      'whoami:ok',
      'read:ok',
      'columns:ok',
      'privileges:ok',
    ]);
    expect(step(report, 'secret').detail).toBe('DYNAMICS_CLIENT_SECRET is set (value not shown)');
    expect(step(report, 'whoami').detail).toContain(USER);
    expect(step(report, 'columns').detail).toBe('firstname, lastname, mobilephone exist on contact');
    expect(report.steps.every((s) => Number.isInteger(s.latencyMs) && s.latencyMs >= 0)).toBe(true);
    expect(printed(report)).toContain('All 7 checks passed.');
    for (const scope of scopes) expect(scope.isDone()).toBe(true);
  });

  it('asks for no contact data: the read probe filters on an address nobody has, on the configured fields', async () => {
    let filter = '';
    let select = '';
    mockToken();
    mockWhoAmI();
    nock(ORG)
      .get(`${API}/contacts`)
      .query((query) => {
        filter = String(query['$filter']);
        select = String(query['$select']);
        return query['$top'] === '1';
      })
      .reply(200, readFixture('contacts-none.json') as nock.Body, JSON_HEADERS);
    mockAttributes();
    mockPrivileges();
    const report = await runDoctor(configWith({ lookup: { emailFields: ['emailaddress1', 'emailaddress2'] } }), { readSecret: secrets });
    expect(report.ok).toBe(true);
    expect(filter).toBe(
      "(emailaddress1 eq 'dynamics-hook-doctor@example.invalid' or emailaddress2 eq 'dynamics-hook-doctor@example.invalid') and statecode eq 0",
    );
    expect(select).toBe('contactid,emailaddress1,emailaddress2');
  });

  it('without sync, still checks write and create privileges: any config builds a post-registration hook that creates contacts', async () => {
    const scopes = [mockToken(), mockWhoAmI(), mockReadProbe(), mockAttributes(), mockPrivileges()];
    const report = await runDoctor(BASE_CONFIG, { readSecret: secrets });
    expect(step(report, 'privileges')).toMatchObject({
      status: 'ok',
      title: 'write and create privileges (post-registration hook)',
      detail: 'prvReadContact Organization, prvWriteContact Organization, prvCreateContact Organization',
    });
    for (const scope of scopes) expect(scope.isDone()).toBe(true);
  });

  it('with sync.createIfMissing false, create is not required', async () => {
    mockToken();
    mockWhoAmI();
    mockReadProbe();
    mockAttributes();
    mockPrivileges();
    const report = await runDoctor(configWith({ sync: { createIfMissing: false } }), { readSecret: secrets });
    expect(step(report, 'privileges')).toMatchObject({ status: 'ok', detail: 'prvReadContact Organization, prvWriteContact Organization' });
  });

  it('--hook post-account-deletion requires write but not create: it only deactivates', async () => {
    mockToken();
    mockWhoAmI();
    mockReadProbe();
    mockAttributes();
    mockPrivileges();
    const report = await runDoctor(BASE_CONFIG, { readSecret: secrets, hook: 'post-account-deletion' });
    expect(step(report, 'privileges')).toMatchObject({ status: 'ok', detail: 'prvReadContact Organization, prvWriteContact Organization' });
  });

  it('with sync configured, reports the write privileges read through RetrieveUserPrivileges', async () => {
    const scopes = [mockToken(), mockWhoAmI(), mockReadProbe(), mockAttributes(), mockPrivileges()];
    const report = await runDoctor(configWith({ sync: { createIfMissing: true } }), { readSecret: secrets });
    expect(report.ok).toBe(true);
    expect(step(report, 'privileges')).toMatchObject({
      status: 'ok',
      detail: 'prvReadContact Organization, prvWriteContact Organization, prvCreateContact Organization',
    });
    for (const scope of scopes) expect(scope.isDone()).toBe(true);
  });

  it('resolves dataverse.organization through the Global Discovery Service, and says so', async () => {
    const gdsToken = nock('https://login.microsoftonline.com')
      .post(`/${TENANT}/oauth2/v2.0/token`, (body: Record<string, string>) => body['scope'] === 'https://globaldisco.crm.dynamics.com/.default')
      .query(true)
      .reply(200, readFixture('token.json') as nock.Body);
    const gds = nock('https://globaldisco.crm.dynamics.com')
      .get('/api/discovery/v2.0/Instances')
      .query(true)
      .matchHeader('authorization', `Bearer ${ACCESS_TOKEN}`)
      .reply(200, readFixture('gds-instances.json') as nock.Body, JSON_HEADERS);
    const scopes = [gdsToken, gds, mockToken(), mockWhoAmI(), mockReadProbe(), mockAttributes(), mockPrivileges()];
    const report = await runDoctor(byOrganization('Contoso'), { readSecret: secrets });
    expect(report.ok).toBe(true);
    expect(report.dataverseUrl).toBe(ORG);
    expect(step(report, 'discovery').detail).toBe(
      '"Contoso (production)" (unq0f8fad5bd9cb469fa16570867728) is https://contoso.crm4.dynamics.com, found through https://globaldisco.crm.dynamics.com; put it in dataverse.url for the built hook',
    );
    for (const scope of scopes) expect(scope.isDone()).toBe(true);
  });
});

describe('doctor names the cause and the fix of each broken setup', () => {
  const tokenFailures: Array<[number, RegExp, RegExp]> = [
    [
      7000215,
      /client secret \(AADSTS7000215\).*"Secret ID" was copied instead of its "Value"/,
      /Certificates & secrets: add a new client secret, copy its Value/,
    ],
    [7000222, /client secret has expired \(AADSTS7000222\)/, /add a new client secret.*delete the expired one/],
    [
      700016,
      new RegExp(`No application with client id ${CLIENT} exists in tenant ${TENANT} \\(AADSTS700016\\)`),
      /"Application \(client\) ID".*"Directory \(tenant\) ID"/,
    ],
    [90002, new RegExp(`Tenant ${TENANT} was not found \\(AADSTS90002\\)`), /Set auth.tenantId to the "Directory \(tenant\) ID".*auth.cloud/],
    [
      500011,
      /no resource https:\/\/contoso.crm4.dynamics.com in this tenant \(AADSTS500011\): the Dataverse URL or the cloud is wrong/,
      /"Environment URL".*dataverse.url/,
    ],
  ];

  it.each(tokenFailures)('AADSTS%i at the token step', async (code, cause, fix) => {
    const scope = mockToken(entra(code));
    const report = await runDoctor(BASE_CONFIG, { readSecret: secrets });
    expect(report.ok).toBe(false);
    expect(step(report, 'token')).toMatchObject({ status: 'fail', code: `AADSTS${code}`, detail: 'Entra refused the token request.' });
    expect(step(report, 'token').cause).toMatch(cause);
    expect(step(report, 'token').fix).toMatch(fix);
    expect(step(report, 'whoami')).toMatchObject({ status: 'skip', detail: 'needs a token' });
    expect(printed(report)).toMatch(/FAIL {2}token/);
    expect(scope.isDone()).toBe(true);
  });

  it('Dataverse 401: shows the WWW-Authenticate reason and points at audience and tenant', async () => {
    mockToken();
    mockWhoAmI(401, '', { 'WWW-Authenticate': 'Bearer error="invalid_token", error_description="The access token audience is invalid"' });
    const report = await runDoctor(BASE_CONFIG, { readSecret: secrets });
    expect(step(report, 'whoami')).toMatchObject({ status: 'fail', code: 'HTTP 401', detail: 'Dataverse refused the access token.' });
    expect(step(report, 'whoami').cause).toBe(
      "Dataverse refused the token (401): invalid_token. The token's audience or tenant does not match this environment.",
    );
    expect(step(report, 'whoami').fix).toMatch(/dataverse.url is this environment's URL.*auth.tenantId/);
    expect(step(report, 'read').status).toBe('skip');
  });

  it('Dataverse 401 whose reason header holds free text: the cause says "other", never the text', async () => {
    mockToken();
    mockWhoAmI(401, '', { '401_error_reason': 'ada.lovelace@example.com' });
    const report = await runDoctor(BASE_CONFIG, { readSecret: secrets });
    expect(step(report, 'whoami').cause).toContain('(401): other.');
    expect(JSON.stringify(report)).not.toContain('ada.lovelace');
  });

  it('Dataverse 403 0x80072560: no Application User, and where to add one', async () => {
    mockToken();
    mockWhoAmI(403, readFixture('dataverse-403-no-application-user.json'));
    const report = await runDoctor(BASE_CONFIG, { readSecret: secrets });
    expect(report.ok).toBe(false);
    expect(step(report, 'whoami')).toMatchObject({ status: 'fail', code: '0x80072560' });
    expect(step(report, 'whoami').cause).toBe(
      `The app ${CLIENT} has no Application User in this environment (0x80072560 "The user is not a member of the organization").`,
    );
    expect(step(report, 'whoami').fix).toBe(
      `Power Platform admin center > Environments > (your environment) > Settings > Users + permissions > Application users > + New app user: pick the app (client id ${CLIENT}), a business unit, and a security role that can read contacts.`,
    );
  });

  it('Dataverse 403 missing prvReadContact: names the role setting', async () => {
    mockToken();
    mockWhoAmI();
    mockReadProbe(403, readFixture('dataverse-403-missing-privilege.json'));
    mockAttributes();
    const report = await runDoctor(BASE_CONFIG, { readSecret: secrets });
    expect(report.ok).toBe(false);
    expect(step(report, 'read')).toMatchObject({
      status: 'fail',
      code: '0x80040220',
      cause: "The Application User's security role lacks prvReadContact (0x80040220).",
    });
    expect(step(report, 'read').fix).toMatch(/Security roles > \(the role of the app user\): grant "Contact: Read" at Organization/);
    expect(step(report, 'columns').status).toBe('ok');
  });

  it('an unknown enrich column: caught by the metadata query, with a suggestion', async () => {
    mockToken();
    mockWhoAmI();
    mockReadProbe();
    mockAttributes();
    const report = await runDoctor(configWith({ enrich: { 'name.givenName': 'firstnam', 'name.familyName': 'lastname' } }), { readSecret: secrets });
    expect(report.ok).toBe(false);
    expect(step(report, 'columns')).toMatchObject({
      status: 'fail',
      detail: '1 configured column(s) not found on contact',
      cause: 'contact has no column firstnam (enrich name.givenName), did you mean firstname?',
    });
    expect(step(report, 'columns').fix).toMatch(/logical name/);
  });

  it('a secret value shaped like a GUID: says a "Secret ID" was probably copied, without showing it', async () => {
    const secretId = '0b9f5a1e-aaaa-4000-8000-00000000abcd';
    mockToken(entra(7000215));
    const report = await runDoctor(BASE_CONFIG, { readSecret: () => secretId });
    expect(step(report, 'secret')).toMatchObject({ status: 'ok' });
    expect(step(report, 'secret').detail).toBe(
      'DYNAMICS_CLIENT_SECRET is set (value not shown); it looks like a GUID, which is what a "Secret ID" looks like: the secret\'s Value is needed',
    );
    expect(JSON.stringify(report)).not.toContain(secretId);
  });

  it('gives each probe at least 10 s: a token slower than policy.timeoutMs still passes', async () => {
    const slowToken = nock('https://login.microsoftonline.com')
      .post(`/${TENANT}/oauth2/v2.0/token`)
      .query(true)
      .delay(600)
      .reply(200, readFixture('token.json') as nock.Body);
    mockWhoAmI();
    mockReadProbe();
    mockAttributes();
    mockPrivileges();
    const report = await runDoctor(configWith({ policy: { timeoutMs: 200 } }), { readSecret: secrets });
    expect(step(report, 'token')).toMatchObject({ status: 'ok' });
    expect(report.ok).toBe(true);
    expect(slowToken.isDone()).toBe(true);
  });

  it('a missing secret variable: named, and nothing is sent', async () => {
    const report = await runDoctor(BASE_CONFIG, { readSecret: () => undefined });
    expect(report.ok).toBe(false);
    expect(step(report, 'secret')).toMatchObject({ status: 'fail', code: 'config', detail: 'The client secret variable is not set.' });
    expect(step(report, 'secret').cause).toContain('variable DYNAMICS_CLIENT_SECRET is not set');
    expect(step(report, 'secret').fix).toMatch(/^Set DYNAMICS_CLIENT_SECRET in this shell/);
    expect(report.steps.filter((s) => s.status === 'skip').map((s) => s.step)).toEqual(['discovery', 'token', 'whoami', 'read', 'columns', 'privileges']);
  });

  it('an invalid config: every bad key by path, no value echoed', async () => {
    const raw = {
      ...BASE_CONFIG,
      dataverse: { url: 'http://contoso.crm4.dynamics.com' },
      auth: { ...BASE_CONFIG.auth, tenantId: 'not-a-guid' },
      extra: SECRET,
    } as unknown as ConfigInput;
    const report = await runDoctor(raw, { readSecret: secrets });
    expect(report.ok).toBe(false);
    const config = step(report, 'config');
    expect(config.status).toBe('fail');
    expect(config.cause).toContain('dataverse.url: must use https, e.g. https://contoso.crm4.dynamics.com');
    expect(config.cause).toContain('auth.tenantId: must be a GUID');
    expect(config.cause).toContain('extra: unknown key');
    expect(config.fix).toMatch(/Correct the keys named above/);
    printed(report);
  });

  it('sync without prvWriteContact: the privileges step fails and names the role setting', async () => {
    const privileges = readFixture('dataverse-user-privileges.json') as { RolePrivileges: Array<{ PrivilegeName: string; Depth: string }> };
    const withoutWrite = {
      RolePrivileges: privileges.RolePrivileges.filter((p) => p.PrivilegeName !== 'prvWriteContact').map((p) =>
        p.PrivilegeName === 'prvReadContact' ? { ...p, Depth: 'Basic' } : p,
      ),
    };
    mockToken();
    mockWhoAmI();
    mockReadProbe();
    mockAttributes();
    mockPrivileges(withoutWrite);
    const report = await runDoctor(configWith({ sync: {} }), { readSecret: secrets });
    expect(report.ok).toBe(false);
    expect(step(report, 'privileges')).toMatchObject({
      status: 'fail',
      detail: 'prvReadContact User, prvWriteContact missing, prvCreateContact Organization',
      cause:
        'The Application User\'s security role has prvReadContact only at User level ("Contact: Read"); lacks prvWriteContact ("Contact: Write"). The post-registration hook needs these; the pre-registration hook needs only read.',
    });
  });

  it('the Global Discovery Service refusing an app-only token: says so and asks for the URL', async () => {
    mockToken();
    nock('https://globaldisco.crm.dynamics.com')
      .get('/api/discovery/v2.0/Instances')
      .query(true)
      .reply(401, '', { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    const report = await runDoctor(byOrganization('contoso'), { readSecret: secrets });
    expect(report.ok).toBe(false);
    expect(step(report, 'discovery')).toMatchObject({
      status: 'fail',
      code: 'HTTP 401',
      cause:
        'The Global Discovery Service refused the app-only token (HTTP 401); it is documented for signed-in users, and client-credential access is not guaranteed.',
    });
    expect(step(report, 'discovery').fix).toMatch(/^Set dataverse.url to the environment URL instead/);
    expect(step(report, 'token')).toMatchObject({ status: 'skip', detail: 'needs the Dataverse URL' });
  });

  it('an organisation the Global Discovery Service does not list: asks for the URL', async () => {
    mockToken();
    nock('https://globaldisco.crm.dynamics.com')
      .get('/api/discovery/v2.0/Instances')
      .query(true)
      .reply(200, readFixture('gds-instances.json') as nock.Body, JSON_HEADERS);
    const report = await runDoctor(byOrganization('fabrikam'), { readSecret: secrets });
    expect(step(report, 'discovery')).toMatchObject({ status: 'fail', detail: 'The Global Discovery Service lists no environment of that name.' });
    expect(step(report, 'discovery').cause).toBe(
      'No environment named "fabrikam" (unique name or URL name) is visible to this app (it sees 2 environment(s)).',
    );
    expect(step(report, 'discovery').fix).toMatch(/^Set dataverse.url/);
  });
});

describe('doctor checks what the hook kind needs', () => {
  /** The role of a pre-registration-only setup, least privilege: read at Organization level, nothing else. */
  const READ_ONLY = {
    RolePrivileges: (readFixture('dataverse-user-privileges.json') as { RolePrivileges: Array<{ PrivilegeName: string }> }).RolePrivileges.filter(
      (p) => p.PrivilegeName === 'prvReadContact',
    ),
  };
  const mockUpToPrivileges = () => [mockToken(), mockWhoAmI(), mockReadProbe(), mockAttributes()];

  it('without --hook and without sync, a read-only role is a warning that names the post-registration hook, and the report passes', async () => {
    const scopes = [...mockUpToPrivileges(), mockPrivileges(READ_ONLY)];
    const report = await runDoctor(BASE_CONFIG, { readSecret: secrets });
    expect(report.ok).toBe(true);
    expect(step(report, 'privileges')).toMatchObject({
      status: 'warn',
      detail: 'prvReadContact Organization, prvWriteContact missing, prvCreateContact missing',
      cause:
        'The Application User\'s security role lacks prvWriteContact ("Contact: Write"); lacks prvCreateContact ("Contact: Create"). Only the post-registration hook needs these: fine for the pre-registration hook, which needs only read (doctor --hook post-registration makes this a failure).',
    });
    const text = printed(report);
    expect(text).toMatch(/^warn {2}privileges/m);
    expect(text).toContain('All 7 checks passed (1 warning: see above).');
    for (const scope of scopes) expect(scope.isDone()).toBe(true);
  });

  it('with --hook post-registration, the same role fails', async () => {
    mockUpToPrivileges();
    mockPrivileges(READ_ONLY);
    const report = await runDoctor(BASE_CONFIG, { readSecret: secrets, hook: 'post-registration' });
    expect(report.ok).toBe(false);
    expect(step(report, 'privileges')).toMatchObject({ status: 'fail', code: 'missing privilege' });
    expect(printed(report)).toContain('1 of 7 checks failed; the hook would not work with this setup.');
  });

  it('with --hook pre-registration, write and create are not asked for at all', async () => {
    // No privileges mock: a RetrieveUserPrivileges request would fail the step (no network).
    const scopes = mockUpToPrivileges();
    const report = await runDoctor(BASE_CONFIG, { readSecret: secrets, hook: 'pre-registration' });
    expect(report.ok).toBe(true);
    expect(step(report, 'privileges')).toMatchObject({ status: 'skip', detail: 'the pre-registration hook writes nothing (read is checked above)' });
    for (const scope of scopes) expect(scope.isDone()).toBe(true);
  });
});
