/**
 * Dataverse `contacts`, read and written with dynamics-web-api v2. This module and `token.ts` are
 * the only ones that touch the network. Every library error is translated here into a HookError.
 */
import { DynamicsWebApi } from 'dynamics-web-api';
import { z } from 'zod';
import { type Config, GUID, syncColumnsOf, updateExistingOf } from './config.js';
import { withMalformedBodyGuard } from './resilience/crash-guard.js';
import { authenticateReason } from './auth-reason.js';
import { HookError } from './errors.js';
import { emailFilter } from './odata.js';

/** Where the client talks to: the environment URL and the Web API version. */
export interface DataverseEnvironment {
  readonly url: string;
  readonly apiVersion: string;
}

/** One client per loaded hook: it keeps a keep-alive agent, so warm registrations reuse a connection. */
export function createDataverseClient(environment: DataverseEnvironment): DynamicsWebApi {
  return new DynamicsWebApi({ serverUrl: environment.url, dataApi: { version: environment.apiVersion } });
}

/**
 * A contact as the lookup returns it. dynamics-web-api revives ISO dates into `Date`s (only those
 * without fractional seconds) and adds alias keys (`oDataContext`, ...), so the schema accepts both.
 */
const contactSchema = z.looseObject({
  contactid: z.string().regex(GUID),
  modifiedon: z.union([z.date(), z.iso.datetime({ offset: true })]).transform((value) => new Date(value)),
});
export type Contact = z.infer<typeof contactSchema>;

const collectionSchema = z.looseObject({ value: z.array(contactSchema) });

/** Columns the lookup selects: the key, the ordering column, every `enrich` column and every `lookup.where` column. */
export function lookupColumns(config: Config): string[] {
  return [...new Set(['contactid', 'modifiedon', ...Object.values(config.enrich), ...Object.keys(config.lookup.where)])];
}

/**
 * Columns a read by id selects: the lookup's, plus what the by-email filter would otherwise have
 * checked: `statecode` (active) and the email fields (a link is trusted only for its email).
 */
export function byIdColumns(config: Config): string[] {
  return [...new Set([...lookupColumns(config), 'statecode', ...config.lookup.emailFields])];
}

/**
 * An array that dynamics-web-api accepts. It refuses one unless `value.constructor === Array` of
 * its own realm (`ErrorHelper.arrayParameterCheck`), so a runtime that evaluates the hook in a `vm`
 * context of its own, handing it the host's packages, would see every lookup refused. The library
 * realm's `Array` is reached from its exported class: the end of that prototype chain is the
 * realm's `Object.prototype`, and `Object.keys` builds its result in its own realm.
 */
function libraryArray(values: readonly string[]): string[] {
  let prototype: object = DynamicsWebApi;
  for (let next = Object.getPrototypeOf(prototype) as object | null; next !== null; next = Object.getPrototypeOf(next) as object | null) prototype = next;
  const LibraryObject = (prototype as { constructor: ObjectConstructor }).constructor;
  const LibraryArray = LibraryObject.keys({}).constructor as ArrayConstructor;
  return LibraryArray.from(values);
}

const NEWEST_FIRST = libraryArray(['modifiedon desc']);

/**
 * Columns the post-registration hook's lookup selects: the key, the ordering column and, for
 * `sync.updateExisting: "fillEmpty"`, the columns it writes, so it knows which of them are empty
 * without a request of its own. `overwrite` and `never` do not read them.
 */
export function syncLookupColumns(config: Config): string[] {
  const written = updateExistingOf(config) === 'fillEmpty' ? Object.keys(syncColumnsOf(config)) : [];
  return [...new Set(['contactid', 'modifiedon', ...written])];
}

/**
 * What a lookup is for: the pre-registration hook's `enrich`, the `sync` of the post-registration
 * and account-update hooks, or the deletion's `state` (whether the contact is still active).
 */
export type LookupPurpose = 'enrich' | 'sync' | 'state';

/** The columns a lookup by email selects for `purpose`. */
function lookupColumnsFor(config: Config, purpose: LookupPurpose): string[] {
  if (purpose === 'enrich') return lookupColumns(config);
  if (purpose === 'sync') return syncLookupColumns(config);
  return ['contactid', 'modifiedon', 'statecode'];
}

/**
 * The lookup's columns once per loaded config and purpose rather than once per registration.
 * Sharing the array is safe: dynamics-web-api copies every array of a request (`copyRequest`).
 */
const columnsByConfig = { enrich: new WeakMap<Config, string[]>(), sync: new WeakMap<Config, string[]>(), state: new WeakMap<Config, string[]>() };
const byIdColumnsByConfig = { enrich: new WeakMap<Config, string[]>(), sync: new WeakMap<Config, string[]>(), state: new WeakMap<Config, string[]>() };
function cached(cache: WeakMap<Config, string[]>, config: Config, derive: () => string[]): string[] {
  let columns = cache.get(config);
  if (columns === undefined) {
    columns = libraryArray(derive());
    cache.set(config, columns);
  }
  return columns;
}
const cachedColumns = (config: Config, purpose: LookupPurpose) => cached(columnsByConfig[purpose], config, () => lookupColumnsFor(config, purpose));
/** A read by id selects what the sign-in gate checks, plus what `purpose` needs (the `sync` columns, for fillEmpty). */
const cachedByIdColumns = (config: Config, purpose: LookupPurpose) =>
  cached(byIdColumnsByConfig[purpose], config, () => [...new Set([...byIdColumns(config), ...lookupColumnsFor(config, purpose)])]);

export interface LookupRequest {
  readonly email: string;
  readonly token: string;
  readonly signal: AbortSignal;
}

/**
 * Contacts whose configured email fields equal `email`, newest first, at most two (enough to tell
 * one match from several), with the columns `purpose` needs. Throws a classified HookError.
 */
export async function findContactsByEmail(
  client: DynamicsWebApi,
  config: Config,
  request: LookupRequest,
  purpose: LookupPurpose = 'enrich',
): Promise<Contact[]> {
  let response: unknown;
  try {
    response = await withMalformedBodyGuard(
      () =>
        client.retrieveMultiple({
          collection: 'contacts',
          select: cachedColumns(config, purpose),
          filter: emailFilter(request.email, config.lookup.emailFields, config.lookup.activeOnly),
          orderBy: NEWEST_FIRST,
          top: 2,
          token: request.token,
          signal: request.signal,
        }),
      request.signal,
    );
  } catch (error) {
    throw classifyDataverseError(error);
  }
  const parsed = collectionSchema.safeParse(response);
  if (!parsed.success) throw new HookError('bad_response', 'Dataverse returned a response of an unexpected shape.', { stage: 'dataverse' });
  return parsed.data.value;
}

export interface ReadByIdRequest {
  readonly contactId: string;
  readonly token: string;
  readonly signal: AbortSignal;
}

/**
 * `GET contacts(<id>)?$select=...`, the cheapest request Dataverse has (an index seek on the key).
 * `undefined` when Dataverse answers 404: a contact deleted since it was linked is "not found", not
 * an outage. Throws a classified HookError otherwise, as `findContactsByEmail` does.
 */
export async function readContactById(
  client: DynamicsWebApi,
  config: Config,
  request: ReadByIdRequest,
  purpose: LookupPurpose = 'enrich',
): Promise<Contact | undefined> {
  // dynamics-web-api puts the key into the path unencoded: only a GUID may go there.
  if (!isContactId(request.contactId)) throw new HookError('internal', 'The contact id is not a GUID.', { stage: 'dataverse' });
  let response: unknown;
  try {
    response = await withMalformedBodyGuard(
      () =>
        client.retrieve({
          collection: 'contacts',
          key: request.contactId,
          select: cachedByIdColumns(config, purpose),
          token: request.token,
          signal: request.signal,
        }),
      request.signal,
    );
  } catch (error) {
    const failure = classifyDataverseError(error);
    if (failure.code === 'not_found' && failure.status === 404) return undefined;
    throw failure;
  }
  const parsed = contactSchema.safeParse(response);
  if (!parsed.success) throw new HookError('bad_response', 'Dataverse returned a response of an unexpected shape.', { stage: 'dataverse' });
  return parsed.data;
}

interface DwaErrorShape {
  status?: unknown;
  code?: unknown;
  name?: unknown;
  headers?: unknown;
}

/** Node's codes for a connection that failed (socket, DNS); TLS failures are matched by `TLS_CODE`. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'EPROTO',
]);
/** Node's TLS errors (`ERR_TLS_*`, `ERR_SSL_*`) and OpenSSL's certificate verification codes. */
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_)|SELF_SIGNED_CERT/;

function isNetworkFailure(code: unknown): boolean {
  return typeof code === 'string' && (NETWORK_CODES.has(code) || TLS_CODE.test(code));
}

/**
 * Classifies what dynamics-web-api rejects with: an HTTP error carrying Dataverse's `error` object
 * plus `status` and lower-case `headers`, a raw Node network error, or an AbortError; anything else
 * is `internal`.
 */
export function classifyDataverseError(error: unknown): HookError {
  if (error instanceof HookError) return error;
  const shape: DwaErrorShape = typeof error === 'object' && error !== null ? (error as DwaErrorShape) : {};
  const stage = 'dataverse' as const;
  if (Array.isArray(error)) return new HookError('bad_response', 'Dataverse returned an unexpected batch response.', { stage, cause: error });
  if (shape.name === 'AbortError' || shape.code === 'ABORT_ERR')
    return new HookError('timeout', 'The deadline passed before the request completed.', { stage, cause: error });
  if (typeof shape.status !== 'number') {
    if (isNetworkFailure(shape.code)) return new HookError('network', 'Dataverse could not be reached.', { stage, cause: error });
    // Neither an answer nor a known network failure: a bug, or the library refusing our request
    // (e.g. a parameter check). Calling it `network` would send an administrator to the firewall.
    return new HookError('internal', 'The Dataverse request failed inside the hook or its client library.', { stage, cause: error });
  }
  const status = shape.status;
  const headers = typeof shape.headers === 'object' && shape.headers !== null ? (shape.headers as Record<string, unknown>) : {};
  const dataverseCode = typeof shape.code === 'string' && /^0x[0-9a-f]{8}$/i.test(shape.code) ? shape.code.toLowerCase() : undefined;
  const details = { stage, status, cause: error, ...(dataverseCode === undefined ? {} : { dataverseCode }) };
  if (status === 401) {
    const diagnostic = authenticateReason(headers);
    return new HookError('auth', 'Dataverse refused the access token.', diagnostic === undefined ? details : { ...details, diagnostic });
  }
  if (status === 403) return new HookError('forbidden', 'Dataverse denied the request (403).', details);
  if (status === 404) return new HookError('not_found', 'Dataverse did not find the resource.', details);
  if (status === 429) {
    const retryAfterMs = retryAfterMsOf(headers['retry-after']);
    return new HookError('throttled', 'Dataverse throttled the request.', retryAfterMs === undefined ? details : { ...details, retryAfterMs });
  }
  if (status >= 500) return new HookError('server', 'Dataverse failed the request.', details);
  if (status === 400) return new HookError('config', 'Dataverse rejected the query; check the configured columns.', details);
  return new HookError('bad_response', 'Dataverse answered with an unexpected status.', details);
}

/** `Retry-After` from Dataverse is in seconds (api-limits docs); an HTTP date is accepted too. */
export function retryAfterMsOf(value: unknown): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

// ---------------------------------------------------------------------------------------------
// Writes, for the post-registration and account hooks. None of them ever sends a DELETE.

/** True for a contact id that may go into a request path (dynamics-web-api puts keys there unencoded). */
export function isContactId(value: unknown): value is string {
  return typeof value === 'string' && GUID.test(value);
}

/** A value a write sends; `null` clears the column (only `deletion.setColumns` writes one). */
export type ColumnValue = string | number | boolean | null;
/** Column values to write: Dataverse logical column name -> value. */
export type ContactData = Readonly<Record<string, ColumnValue>>;

export interface WriteRequest {
  readonly data: ContactData;
  readonly token: string;
  readonly signal: AbortSignal;
}

/**
 * `PATCH contacts(<id>)` with `If-Match: *` (dynamics-web-api's `update` adds it by default), so an
 * update never creates a contact by accident: a contact that no longer exists is a 404, classified
 * `not_found`. Throws a classified HookError.
 */
export async function updateContact(client: DynamicsWebApi, request: WriteRequest & { readonly contactId: string }): Promise<void> {
  if (!isContactId(request.contactId)) throw new HookError('bad_response', 'The contact id is not a GUID.', { stage: 'dataverse' });
  let result: unknown;
  try {
    result = await withMalformedBodyGuard(
      () => client.update({ collection: 'contacts', key: request.contactId, data: request.data, ifmatch: '*', token: request.token, signal: request.signal }),
      request.signal,
    );
  } catch (error) {
    throw classifyDataverseError(error);
  }
  // Without `propagateErrors`, dynamics-web-api's `update` swallows a 412 (the If-Match
  // precondition failed) and resolves `false` (dist/cjs/dynamics-web-api.js, `update`): that is a
  // failed write, not a success.
  if (result === false) throw new HookError('bad_response', 'Dataverse answered with an unexpected status.', { stage: 'dataverse', status: 412 });
  if (result !== true) throw new HookError('bad_response', 'Dataverse returned a response of an unexpected shape.', { stage: 'dataverse' });
}

/** Dataverse's "A record with matching key values already exists." (`DuplicateRecord`, -2147220937). */
const DUPLICATE_KEY = '0x80040237';

/**
 * A create refused because a row with its key exists. Dataverse answers a `POST` whose primary key
 * is taken with 412 (the Web API's status for `DuplicateRecord`); 400 is accepted too, as some
 * front ends answer the same SQL key violation. dynamics-web-api rejects with `status` and the
 * `error.code` copied onto the error (it does not swallow a 412 on `create`, as it does on `update`).
 */
function isDuplicateKey(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { status, code } = error as DwaErrorShape;
  return (status === 412 || status === 400) && typeof code === 'string' && code.toLowerCase() === DUPLICATE_KEY;
}

/** A create's result: the new contact, or the one an earlier attempt already saved under the same id. */
export type CreateResult = { readonly outcome: 'created'; readonly contactId: string } | { readonly outcome: 'exists'; readonly contactId: string };

/**
 * `POST contacts` with the contact id chosen by the caller (see `contact-id.ts`). Dataverse answers
 * 204 with the new record's URL in `OData-EntityId`, from which dynamics-web-api returns the id.
 *
 * Idempotent per id: when an earlier attempt saved the contact although it was answered with a
 * timeout or a 5xx, Dataverse refuses this one as a duplicate key, reported as `exists`, never as a
 * second row. Throws a classified HookError otherwise.
 */
export async function createContact(client: DynamicsWebApi, request: WriteRequest & { readonly contactId: string }): Promise<CreateResult> {
  if (!isContactId(request.contactId)) throw new HookError('bad_response', 'The contact id is not a GUID.', { stage: 'dataverse' });
  const data = { ...request.data, contactid: request.contactId };
  let result: unknown;
  try {
    result = await withMalformedBodyGuard(() => client.create({ collection: 'contacts', data, token: request.token, signal: request.signal }), request.signal);
  } catch (error) {
    if (isDuplicateKey(error)) return { outcome: 'exists', contactId: request.contactId };
    throw classifyDataverseError(error);
  }
  if (!isContactId(result)) throw new HookError('bad_response', 'Dataverse did not return the id of the created contact.', { stage: 'dataverse' });
  return { outcome: 'created', contactId: result };
}

const recordSchema = z.looseObject({ contactid: z.string().regex(GUID) });
/** One contact's columns as Dataverse returned them (values are never logged). */
export type ContactRecord = z.infer<typeof recordSchema>;

/**
 * `GET contacts(<id>)?$select=<columns>`: one contact's current values, for `fillEmpty` where no
 * lookup has read them (a linked contact, a contact an earlier attempt created). A contact that does
 * not exist is a 404, classified `not_found`. Throws a classified HookError.
 */
export async function readContact(
  client: DynamicsWebApi,
  request: { readonly contactId: string; readonly columns: readonly string[]; readonly token: string; readonly signal: AbortSignal },
): Promise<ContactRecord> {
  if (!isContactId(request.contactId)) throw new HookError('bad_response', 'The contact id is not a GUID.', { stage: 'dataverse' });
  const select = libraryArray(['contactid', ...request.columns.filter((column) => column !== 'contactid')]);
  let response: unknown;
  try {
    response = await withMalformedBodyGuard(
      () => client.retrieve({ collection: 'contacts', key: request.contactId, select, token: request.token, signal: request.signal }),
      request.signal,
    );
  } catch (error) {
    throw classifyDataverseError(error);
  }
  const parsed = recordSchema.safeParse(response);
  if (!parsed.success) throw new HookError('bad_response', 'Dataverse returned a response of an unexpected shape.', { stage: 'dataverse' });
  return parsed.data;
}
