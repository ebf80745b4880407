import nock from 'nock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConfigInput } from '../../src/hook/config.js';
import type { LogLine } from '../../src/hook/log.js';
import { createPostRegistrationHook, type PostRegistrationHook } from '../../src/hook/kinds/post-registration/hook.js';
import type { RetryPolicy } from '../../src/hook/resilience/retry.js';
import { readFixture } from '../../src/harness/stand-in.js';
import { linkHash } from '../../src/hook/link.js';
import { contactIdFor } from '../../src/hook/contact-id.js';
import { API, BASE_CONFIG, captureLog, JSON_HEADERS, mockToken, ORG, TENANT } from '../support/helpers.js';

const ADA_ID = '0f8fad5b-d9cb-469f-a165-70867728950e'; // contacts-one.json
const SIOBHAN_ID = '9b2f3c1e-5a4d-4e6f-8a7b-1c2d3e4f5a6b'; // contacts-apostrophe.json
const GRACE_NEWEST_ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7'; // contacts-two.json, newest
const CREATED_ID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301'; // dataverse-create-204.json, contacts-created.json
const STALE_ID = '5a7e1c2b-0d3f-4e8a-9b6c-2f1d0e9c8b7a';

const FAST_RETRIES: RetryPolicy = { maxAttempts: 3, baseDelayMs: 10, minAttemptMs: 10, random: () => 0.5 };

type Recorded = { status: number; headers?: Record<string, string>; body?: unknown };
const created = readFixture('dataverse-create-204.json') as Recorded;
const updated = readFixture('dataverse-update-204.json') as Recorded;

/**
 * A post-registration payload. With `contactId`, the session links it as the pre-registration hook
 * does, bound to `linkedEmail` (default: this registration's email); `linkedEmail: null` leaves the
 * link unbound.
 */
function registration(
  email: unknown,
  options: { contactId?: unknown; linkedEmail?: string | null; givenName?: string; familyName?: string; phone?: string } = {},
): Record<string, unknown> {
  const bindTo = options.linkedEmail === undefined ? String(email) : options.linkedEmail;
  const link =
    options.contactId === undefined
      ? undefined
      : { contactId: options.contactId, ...(bindTo === null ? {} : { linkHash: linkHash(TENANT, String(options.contactId), bindTo) }) };
  return {
    application: { name: 'Brand Web', client_id: 'brand-web' },
    oidc_context: { acr_values: [], ui_locales: ['en'] },
    customer: {
      attributes: {
        emails: { primaryEmail: email },
        name: { givenName: options.givenName ?? 'Ada', familyName: options.familyName ?? 'Lovelace' },
        phoneNumbers: { primaryPhoneNumber: options.phone ?? '' },
      },
      identifiers: {},
      consents: [],
    },
    session: link === undefined ? { journey: 'register' } : { journey: 'register', dynamics: link },
  };
}

/**
 * The tests of which contact is written, and when, use `overwrite` (every mapped value is sent), so
 * that each write shows in full; what `fillEmpty` (the default) and `never` write has its own tests.
 */
const OVERWRITE = { ...BASE_CONFIG, sync: { updateExisting: 'overwrite' } } satisfies ConfigInput;

/** A fresh hook per test: MSAL's throttle cache and the token cache live in the loaded hook. */
function loadHook(config: ConfigInput = OVERWRITE, retryPolicy: RetryPolicy = FAST_RETRIES): { hook: PostRegistrationHook; lines: LogLine[] } {
  const log = captureLog();
  const hook = createPostRegistrationHook(config, { readSecret: () => 'test-secret', logSink: log.sink, prefetchToken: false, retryPolicy });
  return { hook, lines: log.lines };
}

/** Runs the hook and returns the argument lists `callback` was called with. */
async function run(hook: PostRegistrationHook, args: unknown): Promise<unknown[][]> {
  const calls: unknown[][] = [];
  const returned = await hook(args as never, (...callArgs: unknown[]) => calls.push(callArgs));
  expect(returned).toBeUndefined();
  return calls;
}

function syncLine(lines: readonly LogLine[]): LogLine {
  const synced = lines.filter((line) => line.event === 'registration.synced');
  expect(synced).toHaveLength(1);
  return synced[0] as LogLine;
}

/** `PATCH contacts(<id>)`, required to carry `If-Match: *`; bodies are pushed to `bodies`. */
function mockUpdate(contactId: string, bodies: unknown[] = [], reply: Recorded = updated): nock.Scope {
  return nock(ORG)
    .patch(`${API}/contacts(${contactId})`, (body) => {
      bodies.push(body);
      return true;
    })
    .matchHeader('if-match', '*')
    .reply(reply.status, (reply.body ?? '') as nock.Body, reply.headers ?? {});
}

function mockCreate(bodies: unknown[] = [], reply: Recorded = created): nock.Scope {
  return nock(ORG)
    .post(`${API}/contacts`, (body) => {
      bodies.push(body);
      return true;
    })
    .reply(reply.status, (reply.body ?? '') as nock.Body, reply.headers ?? {});
}

/** `GET contacts` answered with a fixture; each raw request path is pushed to `paths`. */
function mockLookup(fixture: string, paths: string[] = []): nock.Scope {
  return nock(ORG)
    .get((uri) => {
      if (!uri.startsWith(`${API}/contacts?`)) return false;
      paths.push(uri);
      return true;
    })
    .reply(200, readFixture(fixture) as nock.Body, JSON_HEADERS);
}

afterEach(() => {
  delete process.env['DYNAMICS_CLIENT_SECRET'];
  vi.useRealTimers();
});

describe('post-registration hook: which contact it writes', () => {
  it('updates the contact linked by the pre-registration hook, without looking the email up', async () => {
    const token = mockToken();
    const bodies: unknown[] = [];
    const update = mockUpdate(ADA_ID, bodies);
    const { hook, lines } = loadHook();

    const calls = await run(hook, registration('ada.lovelace@example.com', { contactId: ADA_ID }));

    expect(calls).toEqual([[]]);
    expect(bodies).toEqual([{ firstname: 'Ada', lastname: 'Lovelace' }]);
    token.done();
    update.done();
    expect(syncLine(lines)).toMatchObject({ level: 'info', hook: 'post-registration', outcome: 'updated', reason: 'session_contact', attempts: 1 });
    // No email lookup ran, so the line counts no matches; and no value was left out.
    expect(syncLine(lines)).not.toHaveProperty('matches');
    expect(lines.map((line) => line.event)).toEqual(['registration.synced']);
  });

  it('leaves out, and logs by column, a value it must not write, writing the others', async () => {
    mockToken();
    const bodies: unknown[] = [];
    const update = mockUpdate(ADA_ID, bodies);
    const { hook, lines } = loadHook();

    await run(hook, registration('ada.lovelace@example.com', { contactId: ADA_ID, givenName: 'Ada --batchresponse_x' }));

    update.done();
    expect(bodies).toEqual([{ lastname: 'Lovelace' }]);
    expect(lines.filter((line) => line.event === 'registration.value_skipped')).toEqual([
      { level: 'warn', event: 'registration.value_skipped', hook: 'post-registration', column: 'firstname', problem: 'batch_marker' },
    ]);
    expect(syncLine(lines)).toMatchObject({ outcome: 'updated', reason: 'session_contact' });
  });

  it('sends no request for a linked contact when the registration has no value to write', async () => {
    const { hook, lines } = loadHook();

    const calls = await run(hook, registration('ada.lovelace@example.com', { contactId: ADA_ID, givenName: '', familyName: ' ', phone: '' }));

    expect(calls).toEqual([[]]);
    expect(syncLine(lines)).toMatchObject({ level: 'info', outcome: 'unchanged', reason: 'session_contact', attempts: 0 });
    expect(syncLine(lines)).not.toHaveProperty('matches');
  });

  it('looks the email up but writes nothing when the registration has no value to write', async () => {
    mockToken();
    const lookup = mockLookup('contacts-one.json');
    const { hook, lines } = loadHook();

    const calls = await run(hook, registration('ada.lovelace@example.com', { givenName: '', familyName: '', phone: '' }));

    expect(calls).toEqual([[]]);
    lookup.done();
    expect(syncLine(lines)).toMatchObject({ level: 'info', outcome: 'unchanged', reason: 'email_match', matches: 1, attempts: 1 });
  });

  it('updates the contact found by email, sending the apostrophe doubled in the exact $filter', async () => {
    const token = mockToken();
    const paths: string[] = [];
    const lookup = mockLookup('contacts-apostrophe.json', paths);
    const bodies: unknown[] = [];
    const update = mockUpdate(SIOBHAN_ID, bodies);
    const { hook, lines } = loadHook();

    const calls = await run(hook, registration("  Siobhan.O'Brien@example.com ", { givenName: 'Siobhan', familyName: "O'Brien", phone: '+353 1 555 0102' }));

    expect(calls).toEqual([[]]);
    expect(paths).toHaveLength(1);
    const query = new URL(paths[0] ?? '', ORG).searchParams;
    expect(query.get('$filter')).toBe("emailaddress1 eq 'Siobhan.O''Brien@example.com' and statecode eq 0");
    // Encoded once, by dynamics-web-api: the quotes as %27, the @ as %40, nothing double-encoded.
    expect(paths[0]).toContain('$filter=emailaddress1%20eq%20%27Siobhan.O%27%27Brien%40example.com%27%20and%20statecode%20eq%200');
    expect(bodies).toEqual([{ firstname: 'Siobhan', lastname: "O'Brien", mobilephone: '+353 1 555 0102' }]);
    token.done();
    lookup.done();
    update.done();
    expect(syncLine(lines)).toMatchObject({ outcome: 'updated', reason: 'email_match', matches: 1 });
  });

  it('updates the most recently modified contact when several share the email', async () => {
    mockToken();
    const lookup = mockLookup('contacts-two.json');
    const update = mockUpdate(GRACE_NEWEST_ID);
    const { hook, lines } = loadHook();

    await run(hook, registration('grace.hopper@example.com', { givenName: 'Grace', familyName: 'Hopper' }));

    lookup.done();
    update.done();
    expect(syncLine(lines)).toMatchObject({ outcome: 'updated', reason: 'email_match_most_recent', matches: 2 });
  });

  it('creates a contact when none matches, with the email in the first lookup field and no empty values', async () => {
    mockToken();
    const lookup = mockLookup('contacts-none.json');
    const bodies: unknown[] = [];
    const create = mockCreate(bodies);
    const config = { ...BASE_CONFIG, lookup: { emailFields: ['emailaddress2', 'emailaddress1'] } } satisfies ConfigInput;
    const { hook, lines } = loadHook(config);

    const calls = await run(hook, registration('alan.turing@example.com', { givenName: 'Alan', familyName: 'Turing', phone: '   ' }));

    expect(calls).toEqual([[]]);
    expect(bodies).toEqual([
      { firstname: 'Alan', lastname: 'Turing', emailaddress2: 'alan.turing@example.com', contactid: contactIdFor(ORG, 'alan.turing@example.com') },
    ]);
    lookup.done();
    create.done();
    expect(syncLine(lines)).toMatchObject({ outcome: 'created', reason: 'no_match', matches: 0, attempts: 1 });
  });

  it('writes the columns of sync.columns, not enrich reversed, when they are configured', async () => {
    mockToken();
    const bodies: unknown[] = [];
    const update = mockUpdate(ADA_ID, bodies);
    const config = {
      ...BASE_CONFIG,
      sync: { updateExisting: 'overwrite', columns: { lastname: 'name.familyName', address1_city: 'addresses.primary.city' } },
    } satisfies ConfigInput;
    const { hook } = loadHook(config);
    const args = registration('ada.lovelace@example.com', { contactId: ADA_ID });
    (args['customer'] as { attributes: Record<string, unknown> }).attributes['addresses'] = { primary: { city: 'London' } };

    await run(hook, args);

    expect(bodies).toEqual([{ lastname: 'Lovelace', address1_city: 'London' }]);
    update.done();
  });

  it('does not create a contact when sync.createIfMissing is false', async () => {
    mockToken();
    const lookup = mockLookup('contacts-none.json');
    const { hook, lines } = loadHook({ ...BASE_CONFIG, sync: { createIfMissing: false } });

    const calls = await run(hook, registration('new.person@example.com'));

    expect(calls).toEqual([[]]);
    lookup.done();
    expect(syncLine(lines)).toMatchObject({ level: 'info', outcome: 'skipped', reason: 'no_match', matches: 0 });
  });

  it('falls back to the email when the linked contact no longer exists (404)', async () => {
    mockToken();
    const stale = mockUpdate(STALE_ID, [], { status: 404, body: readFixture('dataverse-404-contact.json'), headers: JSON_HEADERS });
    const lookup = mockLookup('contacts-one.json');
    const update = mockUpdate(ADA_ID);
    const { hook, lines } = loadHook();

    const calls = await run(hook, registration('ada.lovelace@example.com', { contactId: STALE_ID }));

    expect(calls).toEqual([[]]);
    stale.done();
    lookup.done();
    update.done();
    expect(syncLine(lines)).toMatchObject({ outcome: 'updated', reason: 'stale_link_email_match', matches: 1, attempts: 1 });
  });

  it('ignores a linked contact id that is not a GUID (it would go into the request path)', async () => {
    mockToken();
    const lookup = mockLookup('contacts-one.json');
    const update = mockUpdate(ADA_ID);
    const { hook, lines } = loadHook();

    await run(hook, registration('ada.lovelace@example.com', { contactId: `${ADA_ID})/$ref` }));

    lookup.done();
    update.done();
    expect(syncLine(lines)).toMatchObject({ outcome: 'updated', reason: 'ignored_link_email_match' });
  });

  it.each([
    ['bound to another email (an earlier attempt in the same session)', 'ada.lovelace@example.com'],
    ['not bound to any email', null],
  ])('never writes through a link %s: the email decides, and the log says the link was ignored', async (_label, linkedEmail) => {
    mockToken();
    const lookup = mockLookup('contacts-none.json');
    const bodies: unknown[] = [];
    const create = mockCreate(bodies);
    const { hook, lines } = loadHook();

    await run(hook, registration('mallory@example.com', { contactId: ADA_ID, linkedEmail, givenName: 'Mallory', familyName: 'M' }));

    lookup.done();
    create.done();
    expect(bodies).toEqual([
      { firstname: 'Mallory', lastname: 'M', emailaddress1: 'mallory@example.com', contactid: contactIdFor(ORG, 'mallory@example.com') },
    ]);
    expect(syncLine(lines)).toMatchObject({ outcome: 'created', reason: 'ignored_link_no_match', matches: 0 });
  });

  it('skips, without a request, a linked registration whose email is invalid (nothing to check the link against)', async () => {
    const { hook, lines } = loadHook();

    await run(hook, registration('not-an-email', { contactId: ADA_ID }));

    expect(syncLine(lines)).toMatchObject({ outcome: 'skipped', reason: 'ignored_link_invalid_email', attempts: 0 });
  });

  it('skips, without a request, a registration with neither a linked contact nor a valid email', async () => {
    const { hook, lines } = loadHook();

    const calls = await run(hook, registration('not-an-email'));

    expect(calls).toEqual([[]]);
    expect(syncLine(lines)).toMatchObject({ outcome: 'skipped', reason: 'invalid_email', attempts: 0 });
  });
});

describe('post-registration hook: idempotency', () => {
  it('does not create a second contact when the platform runs it again for the same registration', async () => {
    mockToken();
    const firstLookup = mockLookup('contacts-none.json');
    const create = mockCreate();
    const secondLookup = mockLookup('contacts-created.json');
    const update = mockUpdate(CREATED_ID);
    const { hook, lines } = loadHook();
    const args = registration('alan.turing@example.com', { givenName: 'Alan', familyName: 'Turing' });

    await run(hook, args);
    await run(hook, args);

    firstLookup.done();
    create.done();
    secondLookup.done();
    update.done();
    expect(lines.filter((line) => line.event === 'registration.synced').map((line) => line.outcome)).toEqual(['created', 'updated']);
  });

  it('runs overlapping runs for one email one after the other, so only the first creates', async () => {
    mockToken();
    // A Dataverse that remembers: lookups find the contact once it has been created.
    let posts = 0;
    const lookups = nock(ORG)
      .get(`${API}/contacts`)
      .query(true)
      .times(2)
      .reply(() => [200, readFixture(posts > 0 ? 'contacts-created.json' : 'contacts-none.json') as nock.Body, JSON_HEADERS]);
    nock(ORG)
      .post(`${API}/contacts`)
      .times(2)
      .reply(() => {
        posts += 1;
        return [created.status, '', created.headers ?? {}];
      });
    const update = mockUpdate(CREATED_ID);
    const { hook, lines } = loadHook();
    const args = registration('alan.turing@example.com', { givenName: 'Alan', familyName: 'Turing' });

    const [first, second] = await Promise.all([run(hook, args), run(hook, args)]);

    expect([first, second]).toEqual([[[]], [[]]]);
    expect(posts).toBe(1);
    lookups.done();
    update.done();
    expect(lines.filter((line) => line.event === 'registration.synced').map((line) => line.outcome)).toEqual(['created', 'updated']);
  });

  it('runs registrations for different emails side by side: one waiting on Dataverse does not hold up another', async () => {
    mockToken();
    let graceFinished = () => {};
    const graceDone = new Promise<void>((resolve) => {
      graceFinished = resolve;
    });
    // Ada's lookup is answered only once Grace's run has finished.
    const adaLookup = nock(ORG)
      .get(`${API}/contacts`)
      .query((query) => String(query['$filter']).includes('ada.lovelace'))
      .reply((_uri, _body, reply) => {
        void graceDone.then(() => reply(null, [200, readFixture('contacts-one.json') as nock.Body, JSON_HEADERS]));
      });
    const graceLookup = mockLookup('contacts-two.json');
    const adaUpdate = mockUpdate(ADA_ID);
    const graceUpdate = mockUpdate(GRACE_NEWEST_ID);
    const { hook, lines } = loadHook();

    const ada = run(hook, registration('ada.lovelace@example.com'));
    const grace = run(hook, registration('grace.hopper@example.com', { givenName: 'Grace', familyName: 'Hopper' })).finally(graceFinished);
    await Promise.all([ada, grace]);

    adaLookup.done();
    graceLookup.done();
    adaUpdate.done();
    graceUpdate.done();
    const synced = lines.filter((line) => line.event === 'registration.synced');
    expect(synced.map((line) => [line.outcome, line.reason])).toEqual([
      ['updated', 'email_match_most_recent'],
      ['updated', 'email_match'],
    ]);
  });

  it('fails as a timeout, without a request, a run whose deadline passed while an earlier run for the same email held it up', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    // Entra does not answer the first run (nock's delay runs on the real clock, untouched by the fake one).
    const token = nock('https://login.microsoftonline.com')
      .post(`/${TENANT}/oauth2/v2.0/token`)
      .query(true)
      .delay(60_000)
      .reply(200, readFixture('token.json') as nock.Body);
    const tokenRequested = new Promise((resolve) => token.once('request', resolve));
    const { hook, lines } = loadHook();
    const args = registration('ada.lovelace@example.com');

    const first = run(hook, args);
    await tokenRequested;
    const second = run(hook, args);
    // Both deadlines pass at once; the second run gets its turn only after that.
    vi.advanceTimersByTime(BASE_CONFIG.policy.timeoutMs);
    const calls = await Promise.all([first, second]);

    expect(calls).toEqual([[[]], [[]]]);
    const synced = lines.filter((line) => line.event === 'registration.synced');
    expect(synced).toMatchObject([
      { outcome: 'failed', failure: 'timeout', stage: 'token', attempts: 1 },
      { outcome: 'failed', failure: 'timeout', stage: 'dataverse', attempts: 0 },
    ]);
  });

  it('looks the email up again before retrying a create that failed with a 5xx, and updates what it finds', async () => {
    mockToken();
    mockLookup('contacts-none.json');
    const create = mockCreate([], { status: 500, body: readFixture('dataverse-500.json'), headers: JSON_HEADERS });
    // The first POST was committed after all: the retry's lookup finds it.
    const lookup = mockLookup('contacts-created.json');
    const update = mockUpdate(CREATED_ID);
    const { hook, lines } = loadHook();

    await run(hook, registration('alan.turing@example.com', { givenName: 'Alan', familyName: 'Turing' }));

    create.done();
    lookup.done();
    update.done();
    expect(syncLine(lines)).toMatchObject({ outcome: 'updated', reason: 'email_match', attempts: 2 });
  });
});

describe('post-registration hook: failures are logged and swallowed', () => {
  it('gives up after the retries when Dataverse keeps failing with 500', async () => {
    mockToken();
    const lookups = nock(ORG)
      .get(`${API}/contacts`)
      .query(true)
      .times(3)
      .reply(500, readFixture('dataverse-500.json') as nock.Body, JSON_HEADERS);
    const { hook, lines } = loadHook();

    const calls = await run(hook, registration('ada.lovelace@example.com'));

    expect(calls).toEqual([[]]);
    lookups.done();
    expect(syncLine(lines)).toMatchObject({
      level: 'error',
      outcome: 'failed',
      reason: 'sync_failed',
      failure: 'server',
      stage: 'dataverse',
      status: 500,
      dataverseCode: '0x80040216',
      attempts: 3,
    });
  });

  it('answers within the deadline when Dataverse does not answer', async () => {
    mockToken();
    nock(ORG).patch(`${API}/contacts(${ADA_ID})`).delay(5000).reply(204);
    const { hook, lines } = loadHook({ ...OVERWRITE, policy: { timeoutMs: 300 } });

    const started = performance.now();
    const calls = await run(hook, registration('ada.lovelace@example.com', { contactId: ADA_ID }));

    expect(performance.now() - started).toBeLessThan(1000);
    expect(calls).toEqual([[]]);
    expect(syncLine(lines)).toMatchObject({ outcome: 'failed', failure: 'timeout' });
  });

  it('names the token stage when the deadline passes while Entra does not answer', async () => {
    nock('https://login.microsoftonline.com')
      .post(/oauth2\/v2.0\/token/)
      .query(true)
      .delay(5000)
      .reply(200, readFixture('token.json') as nock.Body);
    const { hook, lines } = loadHook({ ...BASE_CONFIG, policy: { timeoutMs: 300 } });

    const calls = await run(hook, registration('ada.lovelace@example.com', { contactId: ADA_ID }));

    expect(calls).toEqual([[]]);
    expect(syncLine(lines)).toMatchObject({ outcome: 'failed', failure: 'timeout', stage: 'token' });
  });

  it('treats a refused update precondition (412, which dynamics-web-api turns into false) as a failure', async () => {
    mockToken();
    const update = mockUpdate(ADA_ID, [], { status: 412, body: readFixture('dataverse-412.json'), headers: JSON_HEADERS });
    const { hook, lines } = loadHook();

    await run(hook, registration('ada.lovelace@example.com', { contactId: ADA_ID }));

    update.done();
    expect(syncLine(lines)).toMatchObject({ outcome: 'failed', failure: 'bad_response', status: 412, attempts: 1 });
  });

  it('logs an Entra refusal (AADSTS7000215) and sends nothing to Dataverse', async () => {
    const token = mockToken(readFixture('entra-aadsts7000215.json') as { status: number; body: unknown });
    const { hook, lines } = loadHook();

    const calls = await run(hook, registration('ada.lovelace@example.com', { contactId: ADA_ID }));

    expect(calls).toEqual([[]]);
    token.done();
    expect(syncLine(lines)).toMatchObject({ outcome: 'failed', failure: 'auth', stage: 'token', aadsts: 7000215, status: 401 });
  });

  it('calls back once on an invalid config, naming the bad keys but no values', async () => {
    const log = captureLog();
    const hook = createPostRegistrationHook({ ...BASE_CONFIG, sync: { createIfMissing: 'yes' } }, { logSink: log.sink });

    const calls = await run(hook, registration('ada.lovelace@example.com'));

    expect(calls).toEqual([[]]);
    expect(syncLine(log.lines)).toMatchObject({ level: 'error', hook: 'post-registration', outcome: 'failed', reason: 'config_invalid', failure: 'config' });
    expect(JSON.stringify(log.lines)).toContain('sync.createIfMissing');
  });

  it('never throws, with no callback, a callback that throws, or no arguments at all', async () => {
    const { hook, lines } = loadHook();

    await expect(hook(undefined as never)).resolves.toBeUndefined();
    await expect(
      hook(registration('not-an-email') as never, () => {
        throw new Error('runtime bug');
      }),
    ).resolves.toBeUndefined();
    expect(lines.find((line) => line.event === 'hook.callback_threw')).toEqual({ level: 'error', event: 'hook.callback_threw', hook: 'post-registration' });
  });

  it('runs without a callback, logging only its sync line', async () => {
    const { hook, lines } = loadHook();

    await expect(hook(registration('not-an-email') as never)).resolves.toBeUndefined();

    expect(lines.map((line) => line.event)).toEqual(['registration.synced']);
  });

  it('calls back once, and logs an internal failure without an email hash, when reading the payload throws', async () => {
    const { hook, lines } = loadHook();
    const args = registration('ada.lovelace@example.com');
    Object.defineProperty(args, 'customer', {
      enumerable: true,
      get() {
        throw new Error('runtime bug');
      },
    });

    const calls = await run(hook, args);

    expect(calls).toEqual([[]]);
    expect(syncLine(lines)).toMatchObject({ level: 'error', outcome: 'failed', reason: 'sync_failed', failure: 'internal', stage: 'dataverse', attempts: 0 });
    expect(syncLine(lines)).not.toHaveProperty('emailHash');
  });

  it('logs the time the run took', async () => {
    const { hook, lines } = loadHook();

    const started = performance.now();
    await run(hook, registration('not-an-email'));
    const tookMs = performance.now() - started;

    const { latencyMs } = syncLine(lines);
    expect(latencyMs).toBeGreaterThanOrEqual(0);
    expect(latencyMs).toBeLessThanOrEqual(Math.ceil(tookMs));
  });

  it('stops its deadline timer once it has answered', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { hook } = loadHook();
    const before = vi.getTimerCount();

    await run(hook, registration('not-an-email'));

    expect(vi.getTimerCount()).toBe(before);
  });

  it('leaves no unhandled rejection when the runtime callback is async and rejects, with a valid or an invalid config', async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      const rejecting = async () => {
        throw new Error('runtime bug, later');
      };
      const valid = loadHook();
      const invalid = loadHook({ ...BASE_CONFIG, policy: { timeoutMs: 1 } });
      await valid.hook(registration('not-an-email') as never, rejecting);
      await invalid.hook(registration('not-an-email') as never, rejecting);
      await new Promise((resolve) => setImmediate(resolve));

      expect(rejections).toEqual([]);
      expect(valid.lines.map((line) => line.event)).toContain('hook.callback_threw');
      expect(invalid.lines.map((line) => line.event)).toContain('hook.callback_threw');
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });

  it('logs neither the email, the written values, the token nor the secret', async () => {
    mockToken();
    mockLookup('contacts-none.json');
    mockCreate();
    const { hook, lines } = loadHook();

    await run(hook, registration("siobhan.o'brien@example.com", { givenName: 'Siobhan', familyName: "O'Brien", phone: '+353 1 555 0102' }));

    const text = JSON.stringify(lines);
    for (const secretOrPersonal of ['siobhan', 'brien', '+353', 'test-secret', 'RECORDED-FIXTURE-TOKEN', CREATED_ID])
      expect(text.toLowerCase()).not.toContain(secretOrPersonal.toLowerCase());
    expect(syncLine(lines).emailHash).toMatch(/^[0-9a-f]{12}$/);
  });
});

describe('post-registration hook: what an existing contact gets (sync.updateExisting)', () => {
  const VICTIM = 'ada.lovelace@example.com';
  const attacker = { givenName: 'Mallory', familyName: 'Attacker', phone: '+1 555 6666' };
  const withMode = (updateExisting: 'fillEmpty' | 'overwrite' | 'never') => ({ ...BASE_CONFIG, sync: { updateExisting } }) satisfies ConfigInput;

  /** `GET contacts` answered with one contact holding `values`; each raw path is pushed to `paths`. */
  function lookupWith(values: Record<string, unknown>, paths: string[] = []): nock.Scope {
    return nock(ORG)
      .get((uri) => uri.startsWith(`${API}/contacts?`) && paths.push(uri) > 0)
      .reply(200, { value: [{ '@odata.etag': 'W/"1"', contactid: ADA_ID, modifiedon: '2026-10-01T09:30:00Z', ...values }] }, JSON_HEADERS);
  }

  it('by default (fillEmpty) never rewrites what the contact holds: a registrant with a customer email changes nothing', async () => {
    mockToken();
    const paths: string[] = [];
    const lookup = lookupWith({ firstname: 'Ada', lastname: 'Lovelace', mobilephone: '+44 20 7946 0018' }, paths);
    const { hook, lines } = loadHook(BASE_CONFIG);

    await run(hook, registration(VICTIM, attacker));

    lookup.done();
    expect(nock.pendingMocks()).toEqual([]);
    // The one lookup it already made reads the columns it would write: no request of its own.
    expect(new URL(paths[0] ?? '', ORG).searchParams.get('$select')).toBe('contactid,modifiedon,firstname,lastname,mobilephone');
    expect(syncLine(lines)).toMatchObject({
      outcome: 'unchanged',
      reason: 'email_match',
      columnsWritten: [],
      columnsKept: ['firstname', 'lastname', 'mobilephone'],
      attempts: 1,
    });
  });

  it('fills only the columns that are empty in Dataverse (null, absent or blank), and logs which were written and which kept', async () => {
    mockToken();
    lookupWith({ firstname: 'Ada', lastname: null, mobilephone: '  ' });
    const bodies: unknown[] = [];
    const update = mockUpdate(ADA_ID, bodies);
    const { hook, lines } = loadHook(BASE_CONFIG);

    await run(hook, registration(VICTIM, attacker));

    update.done();
    expect(bodies).toEqual([{ lastname: 'Attacker', mobilephone: '+1 555 6666' }]);
    expect(syncLine(lines)).toMatchObject({
      outcome: 'updated',
      reason: 'email_match',
      columnsWritten: ['lastname', 'mobilephone'],
      columnsKept: ['firstname'],
    });
    // Names only: no value of the registration or the record is in the line.
    expect(JSON.stringify(lines)).not.toMatch(/Attacker|Mallory|555|Ada'|Lovelace/);
  });

  it('reads a linked contact by id (GET contacts(<id>) with the sync columns) before filling it, instead of a blind PATCH', async () => {
    mockToken();
    const read = nock(ORG)
      .get(`${API}/contacts(${ADA_ID})`)
      .query({ $select: 'contactid,firstname,lastname' })
      .reply(200, { '@odata.etag': 'W/"1"', contactid: ADA_ID, firstname: 'Ada', lastname: null }, JSON_HEADERS);
    const bodies: unknown[] = [];
    const update = mockUpdate(ADA_ID, bodies);
    const { hook, lines } = loadHook(BASE_CONFIG);

    await run(hook, registration(VICTIM, { contactId: ADA_ID, givenName: 'Mallory', familyName: 'Attacker' }));

    read.done();
    update.done();
    expect(bodies).toEqual([{ lastname: 'Attacker' }]);
    expect(syncLine(lines)).toMatchObject({ outcome: 'updated', reason: 'session_contact', columnsWritten: ['lastname'], columnsKept: ['firstname'] });
  });

  it('falls back to the email when the linked contact it reads no longer exists (404)', async () => {
    mockToken();
    const read = nock(ORG)
      .get(`${API}/contacts(${STALE_ID})`)
      .query(true)
      .reply(404, readFixture('dataverse-404-contact.json') as nock.Body, JSON_HEADERS);
    lookupWith({ firstname: null, lastname: 'Lovelace' });
    const bodies: unknown[] = [];
    mockUpdate(ADA_ID, bodies);
    const { hook, lines } = loadHook(BASE_CONFIG);

    await run(hook, registration(VICTIM, { contactId: STALE_ID }));

    read.done();
    expect(bodies).toEqual([{ firstname: 'Ada' }]);
    expect(syncLine(lines)).toMatchObject({ outcome: 'updated', reason: 'stale_link_email_match', columnsWritten: ['firstname'], columnsKept: ['lastname'] });
  });

  it('with never, leaves a contact found by email alone (its lookup selects no sync column), and still creates one for a new email', async () => {
    mockToken();
    const paths: string[] = [];
    lookupWith({}, paths);
    mockLookup('contacts-none.json');
    const bodies: unknown[] = [];
    const create = mockCreate(bodies);
    const { hook, lines } = loadHook(withMode('never'));

    await run(hook, registration(VICTIM, attacker));
    await run(hook, registration('alan.turing@example.com', { givenName: 'Alan', familyName: 'Turing' }));

    create.done();
    expect(new URL(paths[0] ?? '', ORG).searchParams.get('$select')).toBe('contactid,modifiedon');
    expect(bodies).toHaveLength(1);
    const synced = lines.filter((line) => line.event === 'registration.synced');
    expect(synced[0]).toMatchObject({ outcome: 'unchanged', reason: 'email_match', columnsWritten: [], columnsKept: ['firstname', 'lastname', 'mobilephone'] });
    expect(synced[1]).toMatchObject({ outcome: 'created', reason: 'no_match', columnsWritten: ['firstname', 'lastname', 'emailaddress1'] });
  });

  it('with never, makes no request for a linked contact', async () => {
    const { hook, lines } = loadHook(withMode('never'));

    await run(hook, registration(VICTIM, { contactId: ADA_ID }));

    expect(syncLine(lines)).toMatchObject({ outcome: 'unchanged', reason: 'session_contact', attempts: 0, columnsKept: ['firstname', 'lastname'] });
  });

  it('with overwrite, replaces the values (the behaviour before fillEmpty, opt-in) and selects no sync column', async () => {
    mockToken();
    const paths: string[] = [];
    lookupWith({}, paths);
    const bodies: unknown[] = [];
    mockUpdate(ADA_ID, bodies);
    const { hook, lines } = loadHook(withMode('overwrite'));

    await run(hook, registration(VICTIM, attacker));

    expect(new URL(paths[0] ?? '', ORG).searchParams.get('$select')).toBe('contactid,modifiedon');
    expect(bodies).toEqual([{ firstname: 'Mallory', lastname: 'Attacker', mobilephone: '+1 555 6666' }]);
    expect(syncLine(lines)).toMatchObject({ outcome: 'updated', columnsWritten: ['firstname', 'lastname', 'mobilephone'], columnsKept: [] });
  });
});

describe('post-registration hook: a create that Dataverse saved without saying so', () => {
  const EMAIL = 'alan.turing@example.com';
  const ID = contactIdFor(ORG, EMAIL);
  const duplicate = { error: { code: '0x80040237', message: 'A record with matching key values already exists.' } };

  it('sends the same contact id on every attempt; a repeat refused as a duplicate key is read and filled, never saved twice', async () => {
    mockToken();
    nock(ORG)
      .get(`${API}/contacts`)
      .query(true)
      .times(2)
      .reply(200, readFixture('contacts-none.json') as nock.Body, JSON_HEADERS);
    const ids: unknown[] = [];
    nock(ORG)
      .post(`${API}/contacts`, (body: { contactid?: unknown }) => ids.push(body.contactid) > 0)
      .reply(502, 'Bad Gateway');
    nock(ORG)
      .post(`${API}/contacts`, (body: { contactid?: unknown }) => ids.push(body.contactid) > 0)
      .reply(412, duplicate, JSON_HEADERS);
    const read = nock(ORG)
      .get(`${API}/contacts(${ID})`)
      .query({ $select: 'contactid,firstname,lastname' })
      .reply(200, { contactid: ID, firstname: 'Alan', lastname: 'Turing' }, JSON_HEADERS);
    const { hook, lines } = loadHook(BASE_CONFIG);

    await run(hook, registration(EMAIL, { givenName: 'Alan', familyName: 'Turing' }));

    read.done();
    expect(ids).toEqual([ID, ID]);
    expect(nock.pendingMocks()).toEqual([]);
    expect(syncLine(lines)).toMatchObject({
      outcome: 'unchanged',
      reason: 'created_earlier',
      attempts: 2,
      columnsWritten: [],
      columnsKept: ['firstname', 'lastname'],
    });
  });

  it('fills what an overlapping run left empty in the contact it created (fillEmpty), through the id it derives', async () => {
    mockToken();
    mockLookup('contacts-none.json');
    nock(ORG).post(`${API}/contacts`).reply(412, duplicate, JSON_HEADERS);
    nock(ORG).get(`${API}/contacts(${ID})`).query(true).reply(200, { contactid: ID, firstname: 'Alan', lastname: null }, JSON_HEADERS);
    const bodies: unknown[] = [];
    const update = mockUpdate(ID, bodies);
    const { hook, lines } = loadHook(BASE_CONFIG);

    await run(hook, registration(EMAIL, { givenName: 'Alan', familyName: 'Turing' }));

    update.done();
    expect(bodies).toEqual([{ lastname: 'Turing' }]);
    expect(syncLine(lines)).toMatchObject({ outcome: 'updated', reason: 'created_earlier', attempts: 1 });
  });

  it('with never, leaves the contact an earlier attempt created alone, without reading it', async () => {
    mockToken();
    mockLookup('contacts-none.json');
    nock(ORG).post(`${API}/contacts`).reply(412, duplicate, JSON_HEADERS);
    const { hook, lines } = loadHook({ ...BASE_CONFIG, sync: { updateExisting: 'never' } });

    await run(hook, registration(EMAIL, { givenName: 'Alan', familyName: 'Turing' }));

    expect(nock.pendingMocks()).toEqual([]);
    expect(syncLine(lines)).toMatchObject({ outcome: 'unchanged', reason: 'created_earlier' });
  });
});
