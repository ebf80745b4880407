/**
 * Offline stand-ins for Entra ID and Dataverse, served by nock from the recorded responses in
 * `test/fixtures/` (documented Dataverse and Entra formats, personal data replaced by fakes).
 * `npm start`, `dynamics-hook try` and the benchmark run the built hook against them.
 */
import { readFileSync } from 'node:fs';
import nock from 'nock';
import { AUTHORITY_HOSTS, cloudOf, type ResolvedConfig } from './config.js';

const FIXTURES = new URL('../test/fixtures/', import.meta.url);

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
  /** Removes the interceptors (and re-enables real connections if they were disabled here). */
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
  return {
    counts,
    close: () => {
      nock.cleanAll();
      nock.enableNetConnect();
    },
  };
}
