/**
 * Scrubs nock recordings of live Entra and Dataverse exchanges before they touch the disk, so that
 * a fixture can be committed: no token, secret, client assertion, cookie, request id, real host,
 * tenant or record id, and no personal data. Replacements are stable within one `Scrubber` (the
 * same email becomes the same fake in the request path and in the response body, across files),
 * and obviously fake: `person1@example.com`, `Firstname 1`, `+1 555 0101`, GUIDs
 * `00000000-0000-4000-8000-000000000001`.
 *
 * The rules (nock 14 recorder output, research notes D.4):
 * - token exchanges: the form body (client_secret / client_assertion) is dropped, the random
 *   `client-request-id` query too, `access_token` is replaced;
 * - response headers: an allow-list (content type, OData version, Retry-After, WWW-Authenticate);
 *   cookies, `req_id`, `x-ms-service-request-id`, dates and the rest are dropped;
 * - request headers are not recorded at all (the bearer token would be among them);
 * - hosts: the real Dataverse origin becomes the placeholder org, the login host stays;
 * - bodies: inside records every string, number and boolean is replaced except OData annotations,
 *   dates of the record itself (`modifiedon`, `createdon`) and state codes; elsewhere GUIDs, emails
 *   and hosts are.
 */
import { GUID } from '../../../hook/config.js';
import { EMAIL_LIKE } from '../../../harness/mask-email.js';

/** One recorded exchange, as `nock.recorder.play()` returns it with `output_objects: true`. */
export interface RecordedDefinition {
  scope: string;
  method: string;
  path: string;
  body?: unknown;
  status: number;
  response?: unknown;
  rawHeaders?: Record<string, string> | string[];
  reqheaders?: Record<string, unknown>;
  responseIsBinary?: boolean;
}

export interface ScrubOptions {
  /** The Dataverse origin that was recorded (its host, and the `.api.` form, are replaced). */
  readonly realDataverseUrl: string;
  /** Replaces it; default `https://contoso.crm4.dynamics.com`. */
  readonly placeholderDataverseUrl?: string;
  /** The tenant and client ids of the recording, mapped to the placeholders below. */
  readonly realTenantId: string;
  readonly realClientId: string;
  readonly placeholderTenantId?: string;
  readonly placeholderClientId?: string;
  /** The Entra origin the token exchanges are written under (default https://login.microsoftonline.com). */
  readonly authorityOrigin?: string;
}

export const PLACEHOLDER_DATAVERSE_URL = 'https://contoso.crm4.dynamics.com';
/** The ids of the demo config (src/demo/demo-config.ts), so a recording replays against it. */
export const PLACEHOLDER_TENANT_ID = '11111111-2222-3333-4444-555555555555';
export const PLACEHOLDER_CLIENT_ID = '66666666-7777-8888-9999-000000000000';
export const SCRUBBED_ACCESS_TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.SCRUBBED.c2lnbmF0dXJl';

/** Entra's token endpoint path, the one exchange whose body and query are scrubbed differently. */
export const TOKEN_PATH = /\/oauth2\/v2\.0\/token/;
const KEPT_HEADERS = new Set(['content-type', 'odata-version', 'retry-after', 'www-authenticate']);
/** Record keys whose values are not personal: the record's own timestamps and states. */
const KEPT_RECORD_KEYS = new Set(['modifiedon', 'createdon', 'statecode', 'statuscode', 'versionnumber', 'LogicalName']);
/** config.ts's GUID, unanchored, to replace every GUID inside a text. */
const GUID_IN_TEXT = new RegExp(GUID.source.replace(/^\^|\$$/g, ''), 'gi');
/** An apostrophe may be inside a local part but not start one: it is the OData quote there. */
const EMAIL = /[A-Za-z0-9.!#$%&*+/=?^_`{|}~-][A-Za-z0-9.!#$%&*+/=?^_`{|}~'-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;
const PHONE_KEY = /phone|fax|mobile|pager/i;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}/;

export class Scrubber {
  readonly #options: Required<ScrubOptions>;
  readonly #guids = new Map<string, string>();
  #fakeGuids = 0;
  readonly #emails = new Map<string, string>();
  readonly #texts = new Map<string, string>();
  readonly #hosts: Array<[string, string]>;

  constructor(options: ScrubOptions) {
    this.#options = {
      placeholderDataverseUrl: PLACEHOLDER_DATAVERSE_URL,
      placeholderTenantId: PLACEHOLDER_TENANT_ID,
      placeholderClientId: PLACEHOLDER_CLIENT_ID,
      authorityOrigin: 'https://login.microsoftonline.com',
      ...options,
    };
    this.#guids.set(options.realTenantId.toLowerCase(), this.#options.placeholderTenantId);
    this.#guids.set(options.realClientId.toLowerCase(), this.#options.placeholderClientId);
    const real = new URL(options.realDataverseUrl).hostname;
    const fake = new URL(this.#options.placeholderDataverseUrl).hostname;
    const [name, ...domain] = real.split('.');
    const [fakeName, ...fakeDomain] = fake.split('.');
    // `contoso.api.crm4.dynamics.com` is the same environment's Web API host (GDS `ApiUrl`).
    this.#hosts = [
      [`${name}.api.${domain.join('.')}`, `${fakeName}.api.${fakeDomain.join('.')}`],
      [real, fake],
    ];
  }

  /** The email that replaced `email` (for the index of a recording). */
  fakeEmail(email: string): string {
    const key = email.trim().toLowerCase();
    let fake = this.#emails.get(key);
    if (fake === undefined) {
      fake = `person${this.#emails.size + 1}@example.com`;
      this.#emails.set(key, fake);
    }
    return fake;
  }

  scrub(definitions: readonly RecordedDefinition[]): RecordedDefinition[] {
    return definitions.map((definition) => (TOKEN_PATH.test(definition.path) ? this.#scrubToken(definition) : this.#scrubDataverse(definition)));
  }

  #scrubToken(definition: RecordedDefinition): RecordedDefinition {
    const response = definition.response;
    let scrubbed: unknown = this.#scrubStrings(response);
    if (typeof response === 'object' && response !== null && 'access_token' in response) {
      // Only what MSAL needs; the rest of a token response can carry ids.
      const { token_type, expires_in, ext_expires_in } = response as Record<string, unknown>;
      scrubbed = { token_type, expires_in, ext_expires_in, access_token: SCRUBBED_ACCESS_TOKEN };
    }
    return {
      scope: this.#options.authorityOrigin,
      method: definition.method,
      // The tenant is replaced; the random client-request-id query is dropped (see `prepareForReplay`).
      path: this.#scrubStrings(definition.path.replace(/\?.*$/, '')) as string,
      status: definition.status,
      ...(scrubbed === undefined ? {} : { response: scrubbed }),
      rawHeaders: this.#scrubHeaders(definition.rawHeaders),
    };
  }

  #scrubDataverse(definition: RecordedDefinition): RecordedDefinition {
    return {
      scope: this.#options.placeholderDataverseUrl,
      method: definition.method,
      path: this.#scrubPath(definition.path),
      // Reads have no body; a write's body is a record.
      ...(definition.body === undefined || definition.body === '' ? {} : { body: this.#scrubBody(definition.body) }),
      status: definition.status,
      ...(definition.response === undefined || definition.response === '' ? {} : { response: this.#scrubBody(definition.response) }),
      rawHeaders: this.#scrubHeaders(definition.rawHeaders),
    };
  }

  /** Path GUIDs and hosts; in the query, OData string literals that hold an email. */
  #scrubPath(path: string): string {
    const [pathname = '', query] = path.split(/\?(.*)/s);
    const cleanPath = this.#scrubStrings(pathname) as string;
    if (query === undefined) return cleanPath;
    const params = query.split('&').map((pair) => {
      const [key = '', value = ''] = pair.split(/=(.*)/s);
      // dynamics-web-api sends `$filter` through encodeURIComponent and the rest as is.
      if (key !== '$filter') return `${key}=${this.#scrubStrings(value) as string}`;
      const literalsScrubbed = safeDecode(value).replace(
        /'((?:[^']|'')*)'/g,
        (_literal, inner: string) => `'${this.#scrubLiteral(inner.replaceAll("''", "'")).replaceAll("'", "''")}'`,
      );
      return `${key}=${encodeURIComponent(this.#scrubStrings(literalsScrubbed) as string)}`;
    });
    return `${cleanPath}?${params.join('&')}`;
  }

  #scrubLiteral(value: string): string {
    if (/@/.test(value)) return this.fakeEmail(value);
    return this.#scrubStrings(value) as string;
  }

  #scrubBody(body: unknown): unknown {
    if (typeof body !== 'object' || body === null) return this.#scrubStrings(body);
    const record = body as Record<string, unknown>;
    if (Array.isArray(record['value'])) {
      return { ...(this.#scrubStrings(omit(record, 'value')) as object), value: record['value'].map((item) => this.#scrubRecord(item)) };
    }
    if ('error' in record) return this.#scrubStrings(record);
    return this.#scrubRecord(record);
  }

  /** Every value in a record is personal until shown otherwise: a loyalty number or a flag too. */
  #scrubRecord(value: unknown, key = ''): unknown {
    if (Array.isArray(value)) return value.map((item) => this.#scrubRecord(item, key));
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.#scrubRecord(v, k)]));
    if (key.startsWith('@') || KEPT_RECORD_KEYS.has(key)) return this.#scrubStrings(value);
    if (typeof value === 'number') return Number(this.#fakeText(`number:${key}:${value}`, (n) => String(n)));
    if (typeof value === 'boolean') return false;
    if (typeof value !== 'string') return value;
    if (GUID.test(value)) return this.#scrubStrings(value);
    if (EMAIL_LIKE.test(value.trim())) return this.fakeEmail(value);
    if (PHONE_KEY.test(key)) return this.#fakeText(`phone:${value}`, (n) => `+1 555 01${String(n).padStart(2, '0')}`);
    if (DATE_ONLY.test(value)) return this.#fakeText(`date:${value}`, () => '1970-01-01');
    if (value === '') return value;
    const label = key === '' ? 'Text' : `${key.charAt(0).toUpperCase()}${key.slice(1)}`;
    return this.#fakeText(`${key}:${value}`, (n) => `${label} ${n}`);
  }

  #fakeText(key: string, make: (n: number) => string): string {
    let fake = this.#texts.get(key);
    if (fake === undefined) {
      fake = make(this.#texts.size + 1);
      this.#texts.set(key, fake);
    }
    return fake;
  }

  /** Hosts, GUIDs and emails anywhere in a value (objects and arrays walked). */
  #scrubStrings(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.#scrubStrings(item));
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.#scrubStrings(v)]));
    if (typeof value !== 'string') return value;
    let text = value;
    for (const [real, fake] of this.#hosts) text = text.replaceAll(real, fake);
    text = text.replace(GUID_IN_TEXT, (guid) => this.#fakeGuid(guid));
    text = text.replace(EMAIL, (email) => (email.endsWith('@example.com') && /^person\d+@/.test(email) ? email : this.fakeEmail(email)));
    // Entra names the tenant's display name in some errors.
    text = text.replace(/(tenant named |directory ')[^.']+/g, '$1Contoso');
    return text;
  }

  #fakeGuid(guid: string): string {
    const key = guid.toLowerCase();
    if (/^0{8}-0{4}-0{4}-0{4}-0{12}$/.test(key)) return key;
    let fake = this.#guids.get(key);
    if (fake === undefined) {
      this.#fakeGuids += 1;
      fake = `00000000-0000-4000-8000-${String(this.#fakeGuids).padStart(12, '0')}`;
      this.#guids.set(key, fake);
    }
    return fake;
  }

  #scrubHeaders(headers: RecordedDefinition['rawHeaders']): Record<string, string> {
    const pairs: Array<[string, string]> = Array.isArray(headers)
      ? headers.flatMap((value, index, all) => (index % 2 === 0 ? [[value, all[index + 1] ?? ''] as [string, string]] : []))
      : Object.entries(headers ?? {});
    return Object.fromEntries(
      pairs.filter(([name]) => KEPT_HEADERS.has(name.toLowerCase())).map(([name, value]) => [name.toLowerCase(), this.#scrubStrings(value) as string]),
    );
  }
}

function omit(record: Record<string, unknown>, key: string): Record<string, unknown> {
  const copy = { ...record };
  delete copy[key];
  return copy;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
