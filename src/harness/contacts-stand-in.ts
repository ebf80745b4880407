/**
 * A Dataverse `contacts` table on a real HTTPS socket (127.0.0.1), for the post-registration hook's
 * duplicate tests: it keeps the rows it was given, and can commit a create it did not answer in
 * time, or answered with a 5xx, as Dataverse can when the gateway gives up before the database.
 *
 * Like a database it keeps a key taken by a create that has not committed yet: a second create of
 * that `contactid` waits for the first, then fails as Dataverse does (412, `0x80040237`, "A record
 * with matching key values already exists."). A create without a `contactid` gets a random one.
 * Lookups see committed rows only. Nothing here is a recording of a live tenant.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { emailInFilter } from './stand-in.js';

export type ContactRow = Record<string, unknown> & { readonly contactid: string };

/** How the stand-in handles the `n`th create (1-based): when it answers, with what, and when the row commits. */
export interface CreateBehaviour {
  /** Status of the answer (default 204); a 5xx answer still commits. */
  readonly status?: number;
  /** Delay before the answer, in ms (default 0). */
  readonly answerAfterMs?: number;
  /** Delay before the row is committed, in ms from the request (default: when it answers). */
  readonly commitAfterMs?: number;
}

export interface ContactsStandIn {
  readonly url: string;
  /** Committed rows, in insertion order. */
  readonly rows: ContactRow[];
  /** Creates received (`POST contacts`), whatever their answer. */
  readonly creates: { received: number; refusedAsDuplicate: number };
  /** Resolves when no create is waiting to commit. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

const JSON_TYPE = { 'content-type': 'application/json; odata.metadata=minimal' };
const DUPLICATE = { error: { code: '0x80040237', message: 'A record with matching key values already exists.' } };
const BAD_GATEWAY = { error: { code: '', message: 'Bad Gateway' } };

export async function startContactsStandIn(
  tls: { certPem: string; keyPem: string },
  behaviourOf: (n: number) => CreateBehaviour = () => ({}),
): Promise<ContactsStandIn> {
  const rows: ContactRow[] = [];
  const pending = new Map<string, Promise<void>>();
  const creates = { received: 0, refusedAsDuplicate: 0 };
  const api = '/api/data/v9.2/contacts';

  const send = (response: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
    if (response.destroyed) return;
    const text = body === undefined ? '' : JSON.stringify(body);
    response.writeHead(status, { ...(body === undefined ? {} : JSON_TYPE), ...headers, 'content-length': String(Buffer.byteLength(text)) });
    response.end(text);
  };
  const select = (row: ContactRow, columns: string | null) =>
    columns === null ? row : Object.fromEntries(columns.split(',').map((column) => [column, row[column] ?? null]));

  async function create(request: IncomingMessage, body: Record<string, unknown>, response: ServerResponse): Promise<void> {
    creates.received += 1;
    const behaviour = behaviourOf(creates.received);
    const contactid = typeof body['contactid'] === 'string' ? body['contactid'].toLowerCase() : randomUUID();
    // A key held by a create that has not committed: wait for it, as a database waits on the key's lock.
    await pending.get(contactid);
    if (rows.some((row) => row.contactid === contactid)) {
      creates.refusedAsDuplicate += 1;
      return send(response, 412, DUPLICATE);
    }
    const answerAfterMs = behaviour.answerAfterMs ?? 0;
    const commitAfterMs = behaviour.commitAfterMs ?? answerAfterMs;
    const commit = delay(commitAfterMs).then(() => void rows.push({ ...body, contactid, modifiedon: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }));
    pending.set(contactid, commit);
    void commit.then(() => pending.delete(contactid));
    await delay(answerAfterMs);
    const status = behaviour.status ?? 204;
    if (status >= 500) return send(response, status, BAD_GATEWAY);
    await commit;
    send(response, 204, undefined, { 'OData-EntityId': `https://${request.headers.host ?? ''}${api}(${contactid})` });
  }

  function handle(request: IncomingMessage, body: string, response: ServerResponse): void | Promise<void> {
    const url = new URL(request.url ?? '/', 'https://stand-in');
    const byId = /^\/api\/data\/v9\.2\/contacts\(([0-9a-f-]{36})\)$/i.exec(url.pathname)?.[1]?.toLowerCase();
    const row = byId === undefined ? undefined : rows.find((candidate) => candidate.contactid === byId);
    if (request.method === 'GET' && url.pathname === api) {
      const email = emailInFilter(url.searchParams.get('$filter') ?? '')?.toLowerCase();
      const found = rows.filter((candidate) => String(candidate['emailaddress1'] ?? '').toLowerCase() === email);
      return send(response, 200, {
        value: found
          .slice(-2)
          .reverse()
          .map((match) => select(match, url.searchParams.get('$select'))),
      });
    }
    if (request.method === 'POST' && url.pathname === api) return create(request, JSON.parse(body) as Record<string, unknown>, response);
    if (byId !== undefined && row === undefined) return send(response, 404, { error: { code: '0x80040217', message: 'contact Does Not Exist' } });
    if (request.method === 'GET' && row !== undefined) return send(response, 200, select(row, url.searchParams.get('$select')));
    if (request.method === 'PATCH' && row !== undefined) {
      Object.assign(row, JSON.parse(body) as Record<string, unknown>);
      return send(response, 204);
    }
    return send(response, 400, { error: { code: '0x80060888', message: 'Unsupported request.' } });
  }

  const server: Server = createServer({ key: tls.keyPem, cert: tls.certPem }, (request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => void Promise.resolve(handle(request, body, response)).catch(() => send(response, 500, BAD_GATEWAY)));
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `https://127.0.0.1:${port}`,
    rows,
    creates,
    settled: async () => {
      while (pending.size > 0) await Promise.all(pending.values());
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
