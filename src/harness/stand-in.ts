/**
 * Offline stand-ins for Entra ID and Dataverse, served by nock from the recorded responses in
 * `src/harness/recorded/` (documented Dataverse and Entra formats, personal data replaced by fakes).
 * `npm start`, `dynamics-hook try` and the benchmark run the built hook against them.
 */
import { readFileSync } from 'node:fs';
import { setTimeout } from 'node:timers/promises';
import nock from 'nock';
import { AUTHORITY_HOSTS, cloudOf, type ResolvedConfig } from '../hook/config.js';
import { HookError } from '../hook/errors.js';

const FIXTURES = new URL('./recorded/', import.meta.url);

const cache = new Map<string, unknown>();

export function readFixture(name: string): unknown {
  if (!cache.has(name)) cache.set(name, JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')));
  return cache.get(name);
}

/** Which recorded `contacts` response answers which email (case-insensitive, as Dataverse `eq`). */
export const RECORDED_DIRECTORY: Readonly<Record<string, string>> = {
  'ada.lovelace@example.com': 'contacts-one.json',
  'grace.hopper@example.com': 'contacts-two.json',
  "siobhan.o'brien@example.com": 'contacts-apostrophe.json',
};

/**
 * The email an OData filter asks for: the first `'...'` literal with doubled quotes undone.
 * Only used by the stand-in, to pick a recording.
 */
export function emailInFilter(filter: string): string | undefined {
  const match = /'((?:[^']|'')*)'/.exec(filter);
  return match?.[1]?.replaceAll("''", "'");
}

export interface StandIn {
  /** Requests the stand-ins answered, by kind. */
  readonly counts: { token: number; contacts: number };
  /** Removes the interceptors. */
  close(): void;
}

export interface StandInOptions {
  /** Delay before each Dataverse reply, in ms (default 0). */
  readonly dataverseDelayMs?: number;
}

/**
 * Intercepts the token endpoint of the config's cloud and `GET contacts` on its Dataverse URL;
 * everything else is refused (no request leaves the machine).
 */
export function serveRecordedResponses(config: ResolvedConfig, options: StandInOptions = {}): StandIn {
  const counts = { token: 0, contacts: 0 };
  nock.disableNetConnect();
  const token = readFixture('token.json');
  nock(`https://${AUTHORITY_HOSTS[cloudOf(config)]}`)
    .persist()
    .post(`/${config.auth.tenantId}/oauth2/v2.0/token`)
    .query(true)
    .reply(() => {
      counts.token += 1;
      return [200, token];
    });
  nock(config.dataverse.url)
    .persist()
    .get(`/api/data/v${config.dataverse.apiVersion}/contacts`)
    .query(true)
    .delay(options.dataverseDelayMs ?? 0)
    .reply((uri) => {
      counts.contacts += 1;
      const filter = new URL(uri, config.dataverse.url).searchParams.get('$filter') ?? '';
      const email = emailInFilter(filter)?.toLowerCase() ?? '';
      return [200, readFixture(RECORDED_DIRECTORY[email] ?? 'contacts-none.json'), { 'content-type': 'application/json; odata.metadata=minimal' }];
    });
  // The sign-in gate reads a linked contact by id: the recorded contact of that id, else Dataverse's 404.
  nock(config.dataverse.url)
    .persist()
    .get(new RegExp(`^/api/data/v${config.dataverse.apiVersion.replace('.', '\\.')}/contacts\\(([0-9a-fA-F-]{36})\\)`))
    .query(true)
    .delay(options.dataverseDelayMs ?? 0)
    .reply((uri) => {
      counts.contacts += 1;
      const id = /contacts\(([0-9a-fA-F-]{36})\)/.exec(uri)?.[1]?.toLowerCase() ?? '';
      const contact = recordedContact(id);
      if (contact !== undefined) return [200, contact, { 'content-type': 'application/json; odata.metadata=minimal' }];
      return [
        404,
        { error: { code: '0x80040217', message: `contact With Id = ${id} Does Not Exist` } },
        { 'content-type': 'application/json; odata.metadata=minimal' },
      ];
    });
  return {
    counts,
    // Net connect stays disabled: re-enabling it would open the network to whatever runs next.
    close: () => nock.cleanAll(),
  };
}

/**
 * After the token reply is served, MSAL parses and caches it a few event-loop turns later. A
 * registration arriving sooner is still correct (it joins the request in flight, no second one);
 * the wait only makes the first registration's latency that of a deployed, warm hook.
 */
const TOKEN_CACHE_SETTLE_MS = 50;

/**
 * Waits for a freshly loaded hook's token pre-fetch, as Strivacity's long-lived instance would
 * have before its first registration: until the stand-in served the token, then the settle time
 * above. Throws if no token request arrives within `timeoutMs` (the pre-fetch is broken).
 */
export async function waitForTokenPrefetch(standIn: StandIn, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (standIn.counts.token === 0) {
    if (performance.now() >= deadline)
      throw new HookError('timeout', `The hook's token pre-fetch did not reach the stand-in within ${timeoutMs} ms.`, { stage: 'token' });
    await setTimeout(5);
  }
  await setTimeout(TOKEN_CACHE_SETTLE_MS);
}

/** One write the stand-in answered: which contact, and the columns written (names only, never values). */
export interface RecordedWrite {
  readonly method: 'PATCH' | 'POST';
  readonly contactId: string;
  readonly status: number;
  readonly columns: readonly string[];
}

export interface SyncStandIn extends StandIn {
  /** Writes answered so far, in order. */
  readonly writes: RecordedWrite[];
}

const RECORDED_JSON = { 'content-type': 'application/json; odata.metadata=minimal' };

/** The recorded contact of `id` (any of the recorded `contacts` responses), if there is one. */
function recordedContact(id: string): Record<string, unknown> | undefined {
  for (const [email, fixture] of Object.entries(RECORDED_DIRECTORY)) {
    const found = (readFixture(fixture) as { value: Array<{ contactid: string }> }).value.find((contact) => contact.contactid === id);
    // The recordings were taken by email, of active contacts, and select neither column: the directory says which email.
    if (found !== undefined) return { emailaddress1: email, statecode: 0, ...found };
  }
  return undefined;
}

/** Contact ids of the recorded `contacts` responses: the contacts a `PATCH` finds. */
function recordedContactIds(): Set<string> {
  const ids = new Set<string>();
  for (const fixture of Object.values(RECORDED_DIRECTORY)) {
    for (const contact of (readFixture(fixture) as { value: Array<{ contactid: string }> }).value) ids.add(contact.contactid);
  }
  return ids;
}

/**
 * `serveRecordedResponses`, plus the writes of the post-registration hook: `PATCH contacts(<id>)`
 * answers 204 for a recorded or created contact and 404 for any other id (as Dataverse does under
 * `If-Match: *`), `POST contacts` answers 204 with an `OData-EntityId` header, and later lookups of
 * that email find the created contact, so a second run for the same registration updates it.
 */
export function serveRecordedWrites(config: ResolvedConfig, options: StandInOptions = {}): SyncStandIn {
  const api = `/api/data/v${config.dataverse.apiVersion}`;
  const writes: RecordedWrite[] = [];
  const known = recordedContactIds();
  const created = new Map<string, Record<string, unknown>>();
  const createReply = readFixture('dataverse-create-204.json') as { status: number; headers: Record<string, string> };
  const updateReply = readFixture('dataverse-update-204.json') as { status: number; headers: Record<string, string> };
  const createdEmail = (query: Record<string, unknown>) => emailInFilter(String(query['$filter'] ?? ''))?.toLowerCase() ?? '';
  let createdLookups = 0;

  // Registered before the recorded lookups, so that a created contact is found first.
  nock(config.dataverse.url)
    .persist()
    .get(`${api}/contacts`)
    .query((query) => created.has(createdEmail(query)))
    .delay(options.dataverseDelayMs ?? 0)
    .reply((uri) => {
      createdLookups += 1;
      const email = emailInFilter(new URL(uri, config.dataverse.url).searchParams.get('$filter') ?? '')?.toLowerCase() ?? '';
      return [200, { '@odata.context': `${config.dataverse.url}${api}/$metadata#contacts`, value: [created.get(email)] }, RECORDED_JSON];
    });
  const standIn = serveRecordedResponses(config, options);

  nock(config.dataverse.url)
    .persist()
    .patch(new RegExp(`^${api}/contacts\\(([0-9a-f-]{36})\\)$`))
    .delay(options.dataverseDelayMs ?? 0)
    .reply((uri, body) => {
      const contactId = /\(([0-9a-f-]{36})\)$/.exec(uri)?.[1] ?? '';
      const exists = known.has(contactId);
      writes.push({ method: 'PATCH', contactId, status: exists ? updateReply.status : 404, columns: Object.keys(body as object) });
      return exists ? [updateReply.status, '', updateReply.headers] : [404, readFixture('dataverse-404-contact.json'), RECORDED_JSON];
    });
  nock(config.dataverse.url)
    .persist()
    .post(`${api}/contacts`)
    .delay(options.dataverseDelayMs ?? 0)
    .reply((_uri, body) => {
      const data = body as Record<string, unknown>;
      // The recorded id for the first contact created, then the same id with a counter at its end.
      const recordedId = /contacts\(([0-9a-f-]{36})\)/.exec(createReply.headers['OData-EntityId'] ?? '')?.[1] ?? '00000000-0000-4000-8000-000000000000';
      // A contactid chosen by the hook is kept, as Dataverse keeps it, and refused when taken (412, 0x80040237).
      const chosen = typeof data['contactid'] === 'string' ? data['contactid'].toLowerCase() : undefined;
      if (chosen !== undefined && known.has(chosen)) {
        writes.push({ method: 'POST', contactId: chosen, status: 412, columns: Object.keys(data) });
        return [412, { error: { code: '0x80040237', message: 'A record with matching key values already exists.' } }, RECORDED_JSON];
      }
      const contactId = chosen ?? (created.size === 0 ? recordedId : `${recordedId.slice(0, -4)}${String(created.size).padStart(4, '0')}`);
      const email = String(data[config.lookup.emailFields[0] ?? 'emailaddress1'] ?? '').toLowerCase();
      created.set(email, { '@odata.etag': 'W/"1"', contactid: contactId, modifiedon: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), ...data });
      known.add(contactId);
      writes.push({ method: 'POST', contactId, status: createReply.status, columns: Object.keys(data) });
      return [createReply.status, '', { ...createReply.headers, 'OData-EntityId': `${config.dataverse.url}${api}/contacts(${contactId})` }];
    });
  const counts = {
    get token() {
      return standIn.counts.token;
    },
    get contacts() {
      return standIn.counts.contacts + createdLookups;
    },
  };
  return { counts, writes, close: standIn.close };
}
