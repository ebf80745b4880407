/**
 * The Dataverse of the login storm (`storm.ts`): a local HTTPS server (127.0.0.1, real sockets)
 * that enforces a scaled copy of Dataverse's service-protection limits, per application user:
 * at most `windowRequests` requests in any sliding window of `windowMs`, and at most
 * `maxConcurrent` in flight; past either it answers 429 with `Retry-After` (whole seconds) and
 * Dataverse's error body (`0x80072322` for the count, `0x80072326` for concurrency).
 * https://learn.microsoft.com/power-apps/developer/data-platform/api-limits
 *
 * What it records is what the storm reports: every request's arrival, and every hold it announced
 * (a 429 says "no request before `endsAt`"). So that a request can be judged against the holds the
 * hook had been told of, each 429 carries the hold's id (`x-storm-hold`), and the storm's client
 * stamps each request with when it was started and which holds it had received
 * (`x-storm-sent-at`, `x-storm-holds-seen`). Nothing here is a recording of a live tenant.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import { PROJECT_ROOT } from './support.js';
import { emailInFilter } from '../harness/stand-in.js';

/** Header names shared with the storm's client (`storm-child.ts`). */
export const STORM_HEADERS = { hold: 'x-storm-hold', sentAt: 'x-storm-sent-at', holdsSeen: 'x-storm-holds-seen' } as const;

export interface StormStandInOptions {
  /** Requests one application user may make in any window of `windowMs` (Dataverse: 6,000). */
  readonly windowRequests: number;
  /** The sliding window, in ms (Dataverse: 300,000). */
  readonly windowMs: number;
  /** Requests of one user in flight at once (Dataverse: 52). */
  readonly maxConcurrent?: number;
  /** Time each accepted request takes before its answer, in ms (default 10). */
  readonly serviceMs?: number;
  /** Accepted requests wait for this before they are answered (tests: to hold requests open). */
  readonly answerGate?: Promise<void>;
  /** Clock, epoch ms (default `Date.now`: the client's stamps use the same clock). */
  readonly now?: () => number;
}

/** A hold the stand-in announced with a 429: no request of that user should start before `endsAt`. */
export interface AnnouncedHold {
  readonly id: number;
  readonly cause: 'window' | 'concurrency';
  readonly announcedAt: number;
  readonly endsAt: number;
  /** The request whose 429 announced it. */
  readonly requestIndex: number;
}

/** One request as the stand-in saw it. Times in epoch ms. */
export interface ArrivedRequest {
  readonly arrivedAt: number;
  /** When the client started it (`x-storm-sent-at`), if it said. */
  readonly sentAt: number | undefined;
  /** Ids of the holds the client had received when it started it (`x-storm-holds-seen`). */
  readonly holdsSeen: readonly number[];
  status: number;
}

export interface StormStandIn {
  readonly url: string;
  readonly requests: readonly ArrivedRequest[];
  readonly holds: readonly AnnouncedHold[];
  /** Most requests in flight at once. */
  readonly maxInFlight: () => number;
  close(): Promise<void>;
}

const JSON_TYPE = 'application/json; odata.metadata=minimal';
const DEFAULT_MAX_CONCURRENT = 52;

/** Dataverse's messages (api-limits docs), with the scaled figures. */
function limitError(cause: AnnouncedHold['cause'], options: StormStandInOptions, maxConcurrent: number): { error: { code: string; message: string } } {
  if (cause === 'concurrency') return { error: { code: '0x80072326', message: `Number of concurrent requests exceeded the limit of ${maxConcurrent}.` } };
  const seconds = options.windowMs / 1000;
  return {
    error: { code: '0x80072322', message: `Number of requests exceeded the limit of ${options.windowRequests} over time window of ${seconds} seconds.` },
  };
}

export async function startStormStandIn(tls: { certPem: string; keyPem: string }, options: StormStandInOptions): Promise<StormStandIn> {
  const now = options.now ?? Date.now;
  const maxConcurrent = options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT;
  const serviceMs = options.serviceMs ?? 10;
  const recorded = (name: string) => readFileSync(join(PROJECT_ROOT, 'src/harness/recorded', name), 'utf8');
  const bodies = { one: recorded('contacts-one.json'), none: recorded('contacts-none.json') };
  const requests: ArrivedRequest[] = [];
  const holds: AnnouncedHold[] = [];
  // Per application user (the bearer token stands for it): accepted start times, and requests in flight.
  const accepted = new Map<string, number[]>();
  const inFlight = new Map<string, number>();
  let maxInFlight = 0;

  const send = (response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    if (response.destroyed) return;
    response.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': String(Buffer.byteLength(body)), ...headers });
    response.end(body);
  };

  /** Why a request of `user` arriving at `at` is refused, and for how long; undefined if accepted. */
  function refusal(user: string, at: number): { cause: AnnouncedHold['cause']; retryAfterS: number } | undefined {
    if ((inFlight.get(user) ?? 0) >= maxConcurrent) return { cause: 'concurrency', retryAfterS: 1 };
    const window = (accepted.get(user) ?? []).filter((startedAt) => startedAt > at - options.windowMs);
    accepted.set(user, window);
    if (window.length < options.windowRequests) return undefined;
    // Until the oldest request in the window leaves it, in whole seconds as Dataverse sends them.
    const oldest = window[0] ?? at;
    return { cause: 'window', retryAfterS: Math.max(1, Math.ceil((oldest + options.windowMs - at) / 1000)) };
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const at = now();
    const sentAt = Number(request.headers[STORM_HEADERS.sentAt]);
    const seen = String(request.headers[STORM_HEADERS.holdsSeen] ?? '');
    const arrived: ArrivedRequest = {
      arrivedAt: at,
      sentAt: Number.isFinite(sentAt) && sentAt > 0 ? sentAt : undefined,
      holdsSeen: seen === '' ? [] : seen.split(',').map(Number),
      status: 0,
    };
    requests.push(arrived);
    const user = String(request.headers.authorization ?? '');
    const refused = refusal(user, at);
    if (refused !== undefined) {
      const hold: AnnouncedHold = {
        id: holds.length + 1,
        cause: refused.cause,
        announcedAt: at,
        endsAt: at + refused.retryAfterS * 1000,
        requestIndex: requests.length - 1,
      };
      holds.push(hold);
      arrived.status = 429;
      return send(response, 429, JSON.stringify(limitError(refused.cause, options, maxConcurrent)), {
        'retry-after': String(refused.retryAfterS),
        [STORM_HEADERS.hold]: String(hold.id),
      });
    }
    // refusal() left this user's window in the map.
    accepted.get(user)?.push(at);
    inFlight.set(user, (inFlight.get(user) ?? 0) + 1);
    maxInFlight = Math.max(maxInFlight, inFlight.get(user) ?? 0);
    try {
      if (serviceMs > 0) await new Promise((resolve) => setTimeout(resolve, serviceMs));
      await options.answerGate;
    } finally {
      inFlight.set(user, (inFlight.get(user) ?? 1) - 1);
    }
    const url = new URL(request.url ?? '/', 'https://stand-in');
    if (request.method !== 'GET' || url.pathname !== '/api/data/v9.2/contacts') {
      arrived.status = 400;
      return send(response, 400, JSON.stringify({ error: { code: '0x80060888', message: 'Unsupported request.' } }));
    }
    // People whose address starts with "new." are not in the CRM; everyone else is one contact.
    const email = emailInFilter(url.searchParams.get('$filter') ?? '') ?? '';
    arrived.status = 200;
    send(response, 200, email.toLowerCase().startsWith('new.') ? bodies.none : bodies.one);
  }

  const server: Server = createServer({ key: tls.keyPem, cert: tls.certPem, keepAliveTimeout: 60_000 }, (request, response) => {
    request.resume();
    request.on('end', () => void handle(request, response).catch(() => send(response, 500, JSON.stringify({ error: { code: '', message: 'Bad Gateway' } }))));
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `https://127.0.0.1:${port}`,
    requests,
    holds,
    maxInFlight: () => maxInFlight,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Requests started during a hold the client had been told of: started (by its own stamp) before
 * the end of a hold whose 429 it had already received. The goal is 0. A request already on its way
 * when a 429 was sent cannot know of it: one that arrived after a hold's 429 (requests are kept in
 * order of arrival) and before its end, and is not counted above, is counted apart.
 */
export function judgeAgainstHolds(standIn: Pick<StormStandIn, 'requests' | 'holds'>): { startedDuringKnownHold: number; arrivedUnawareDuringHold: number } {
  const byId = new Map(standIn.holds.map((hold) => [hold.id, hold]));
  let startedDuringKnownHold = 0;
  let arrivedUnawareDuringHold = 0;
  standIn.requests.forEach((request, index) => {
    const { sentAt } = request;
    if (sentAt !== undefined && request.holdsSeen.some((id) => sentAt < (byId.get(id)?.endsAt ?? -Infinity))) startedDuringKnownHold += 1;
    else if (standIn.holds.some((hold) => index > hold.requestIndex && request.arrivedAt < hold.endsAt)) arrivedUnawareDuringHold += 1;
  });
  return { startedDuringKnownHold, arrivedUnawareDuringHold };
}
