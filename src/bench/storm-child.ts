/**
 * The client side of the login storm (`storm.ts`): a process of its own (`node --import tsx`, no
 * nock) that loads the BUILT post-identification hook as Strivacity does and signs people in at a
 * steady rate against the storm's stand-in, then measures the gate's warm cost beside a bare
 * dynamics-web-api call.
 *
 * - Entra is the stub `fetch` of the timing child (the token is fetched once, at load).
 * - Every request the hook starts is stamped on its way out (`https.request`, which
 *   dynamics-web-api reaches through a getter on the module object, as `burst.ts` counts it) with
 *   when it started and which holds it had heard of (`STORM_HEADERS`), so that the stand-in can
 *   judge it against the holds it announced.
 * - Each sign-in's answer and its `login.decided` line are kept: the line is written in the same
 *   synchronous step as the answer, so it belongs to the sign-in answered last.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { DynamicsWebApi } from 'dynamics-web-api';
import { STORM_HEADERS } from './storm-stand-in.js';
import { EMAIL, PROJECT_ROOT, benchConfig, percentile } from './support.js';
import { silenceConsole, startLocalServer, stubTokenEndpoint } from './timing-stand-ins.js';
import { buildHook } from '../build/build-hook.js';
import { type ConfigInput, parseResolvedConfig } from '../hook/config.js';
import { byIdColumns, lookupColumns } from '../hook/dataverse.js';
import { postIdentificationPayload } from '../build/kinds/post-identification.js';
import { emailFilter } from '../hook/odata.js';
import { type BuiltHookFunction, loadBuiltHook } from '../harness/load-hook.js';

export interface StormJob {
  readonly codeFile: string;
  readonly resultFile: string;
  readonly durationMs: number;
  readonly ratePerS: number;
  /** Warm-cost phase: rounds of `perRound` gate calls then `perRound` bare calls; none when absent. */
  readonly warm?: { readonly rounds: number; readonly perRound: number; readonly keyPem: string; readonly certPem: string };
}

/** One sign-in as the caller saw it, with the decision its log line gave. */
export interface SignInRecord {
  /** Epoch ms (the stand-in's clock). */
  readonly startedAt: number;
  answeredAfterMs: number;
  answers: number;
  outcome: string;
  reason: string;
  /** The failure class of its log line (`throttled`, `timeout`, ...), when it failed. */
  failure: string | undefined;
  joined: boolean;
}

/** Medians of wall µs per call, warm, concurrency 1. */
export interface WarmPair {
  readonly gateMedianUs: number;
  readonly bareMedianUs: number;
  readonly samples: number;
}

export interface StormChildResult {
  readonly signIns: SignInRecord[];
  readonly tokenRequests: number;
  readonly warm?: { readonly byId: WarmPair; readonly byEmail: WarmPair };
}

/** The contact of contact-by-id.json, the link the warm by-id phase signs in with. */
const LINKED_CONTACT_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';

/**
 * The people of the storm: sign-in `i` is a new person, except every fifth, which is the previous
 * person again at the same moment (a double click, a second tab); every tenth person is not in the
 * CRM (the stand-in knows no `new.` address). Synthetic addresses; the hook logs only their hash.
 */
export function personOf(index: number): { email: string; repeat: boolean } {
  const repeat = index % 5 === 4;
  const person = index - Math.floor((index + 1) / 5);
  return { email: `${person % 10 === 9 ? 'new.' : ''}person-${person}@example.com`, repeat };
}

function stampRequests(): { restore: () => void } {
  const https = createRequire(import.meta.url)('node:https') as { request: (...args: unknown[]) => { on: (event: string, f: (res: unknown) => void) => void } };
  const original = https.request;
  const seen = new Set<string>();
  https.request = (...args: unknown[]) => {
    const options = args[0] as { headers?: Record<string, unknown> } | undefined;
    if (typeof options === 'object' && options !== null && !(options instanceof URL)) {
      options.headers = { ...options.headers, [STORM_HEADERS.sentAt]: String(Date.now()), [STORM_HEADERS.holdsSeen]: [...seen].join(',') };
    }
    const request = original(...args);
    // A hold counts as received once its 429 has been read to the end: in that same step
    // dynamics-web-api rejects, and the hook's own handling follows in microtasks.
    request.on('response', (response) => {
      const { headers, on } = response as { headers: Record<string, unknown>; on: (event: string, f: () => void) => void };
      const hold = headers[STORM_HEADERS.hold];
      if (typeof hold === 'string') on.call(response, 'end', () => seen.add(hold));
    });
    return request;
  };
  return { restore: () => (https.request = original) };
}

async function storm(hook: BuiltHookFunction, durationMs: number, ratePerS: number): Promise<SignInRecord[]> {
  const records: SignInRecord[] = [];
  let answeredLast: SignInRecord | undefined;
  const lines = (...parts: unknown[]) => {
    const line = JSON.parse(parts.map(String).join(' ')) as Record<string, unknown>;
    if (line['event'] !== 'login.decided' || answeredLast === undefined) return;
    Object.assign(answeredLast, {
      outcome: String(line['outcome']),
      reason: String(line['reason']),
      failure: typeof line['failure'] === 'string' ? line['failure'] : undefined,
      joined: line['joined'] === true,
    });
  };
  const original = { log: console.log, error: console.error };
  Object.assign(console, { log: lines, error: lines });
  const running: Promise<void>[] = [];
  const signIn = (email: string) => {
    const record: SignInRecord = {
      startedAt: Date.now(),
      answeredAfterMs: NaN,
      answers: 0,
      outcome: 'none',
      reason: 'none',
      failure: undefined,
      joined: false,
    };
    records.push(record);
    const startedMs = performance.now();
    const answer = () => {
      record.answers += 1;
      if (record.answers === 1) record.answeredAfterMs = performance.now() - startedMs;
      answeredLast = record;
    };
    running.push(hook(postIdentificationPayload(email), answer, answer));
  };
  try {
    const total = Math.floor((durationMs / 1000) * ratePerS);
    const intervalMs = 1000 / ratePerS;
    const t0 = performance.now();
    // Sign-ins fall due on a fixed schedule; a late timer (a busy machine) starts the overdue ones at once.
    for (let next = 0; next < total;) {
      while (next < total && next * intervalMs <= performance.now() - t0) {
        signIn(personOf(next).email);
        next += 1;
        if (next < total && personOf(next).repeat) {
          signIn(personOf(next).email);
          next += 1;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, next * intervalMs - (performance.now() - t0))));
    }
    await Promise.all(running);
  } finally {
    Object.assign(console, original);
  }
  return records;
}

/** The gate's warm cost: by link against a bare retrieve by id, by email against a bare retrieveMultiple. */
async function warmCost(warm: NonNullable<StormJob['warm']>): Promise<NonNullable<StormChildResult['warm']>> {
  const server = await startLocalServer(warm.keyPem, warm.certPem);
  const restoreConsole = silenceConsole();
  try {
    const { DynamicsWebApi: Client } = createRequire(join(PROJECT_ROOT, 'package.json'))('dynamics-web-api') as typeof import('dynamics-web-api');
    const bare: DynamicsWebApi = new Client({ serverUrl: server.url, dataApi: { version: '9.2' } });
    const byEmailInput: ConfigInput = benchConfig(server.url);
    const byIdInput: ConfigInput = { ...byEmailInput, link: { attribute: 'custom.dynamicsContactId' } };
    const byEmailConfig = parseResolvedConfig(byEmailInput);
    const token = 'bench-fixed-token';
    const pair = async (input: ConfigInput, payload: () => unknown, bareCall: () => Promise<unknown>): Promise<WarmPair> => {
      const { hook, unload } = loadBuiltHook((await buildHook('post-identification', input)).code);
      const gateSamples: number[] = [];
      const bareSamples: number[] = [];
      const timeGate = async (into: number[], count: number) => {
        for (let i = 0; i < count; i += 1) {
          let allowed = false;
          const t0 = performance.now();
          await hook(
            payload(),
            (value: { authentication?: unknown }) => (allowed = value.authentication === 'ALLOW'),
            () => undefined,
          );
          into.push((performance.now() - t0) * 1000);
          if (!allowed) throw new Error('The gate did not allow the known customer.');
        }
      };
      const timeBare = async (into: number[], count: number) => {
        for (let i = 0; i < count; i += 1) {
          const t0 = performance.now();
          await bareCall();
          into.push((performance.now() - t0) * 1000);
        }
      };
      try {
        await timeGate([], 300);
        await timeBare([], 300);
        // Interleaved rounds, so that the load of a shared machine drifts over both sides alike.
        for (let round = 0; round < warm.rounds; round += 1) {
          await timeGate(gateSamples, warm.perRound);
          await timeBare(bareSamples, warm.perRound);
        }
      } finally {
        unload();
      }
      const median = (values: number[]) =>
        percentile(
          values.sort((a, b) => a - b),
          50,
        );
      return { gateMedianUs: median(gateSamples), bareMedianUs: median(bareSamples), samples: gateSamples.length };
    };
    const byId = await pair(
      byIdInput,
      () => postIdentificationPayload(EMAIL, { contactId: LINKED_CONTACT_ID }),
      () => bare.retrieve({ collection: 'contacts', key: LINKED_CONTACT_ID, select: byIdColumns(byEmailConfig), token }),
    );
    const byEmail = await pair(
      byEmailInput,
      () => postIdentificationPayload(EMAIL),
      () =>
        bare.retrieveMultiple({
          collection: 'contacts',
          select: lookupColumns(byEmailConfig),
          filter: emailFilter(EMAIL, byEmailConfig.lookup.emailFields, byEmailConfig.lookup.activeOnly),
          orderBy: ['modifiedon desc'],
          top: 2,
          token,
        }),
    );
    return { byId, byEmail };
  } finally {
    restoreConsole();
    server.close();
  }
}

async function runJob(job: StormJob): Promise<StormChildResult> {
  process.env['DYNAMICS_CLIENT_SECRET'] = 'storm-secret-not-a-real-value';
  const tokenEndpoint = stubTokenEndpoint();
  const stamps = stampRequests();
  const { hook, unload } = loadBuiltHook(readFileSync(job.codeFile, 'utf8'));
  // The pre-fetched token is cached before the first sign-in, as in a warm Strivacity instance.
  while (tokenEndpoint.requests() === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  await new Promise((resolve) => setTimeout(resolve, 100));
  const signIns = await storm(hook, job.durationMs, job.ratePerS);
  // The storm's own: the warm phase loads hooks of its own, each with its pre-fetch.
  const tokenRequests = tokenEndpoint.requests();
  unload();
  // The warm cost is measured without the stamps: they are the storm's instrument, not the hook's cost.
  stamps.restore();
  const warm = job.warm === undefined ? undefined : await warmCost(job.warm);
  tokenEndpoint.restore();
  return { signIns, tokenRequests, ...(warm === undefined ? {} : { warm }) };
}

const job = process.env['HOOK_STORM'];
if (job !== undefined) {
  const parsed = JSON.parse(job) as StormJob;
  writeFileSync(parsed.resultFile, JSON.stringify(await runJob(parsed)));
  // The hook's keep-alive sockets and timers are done with; nothing to wait for.
  process.exit(0);
}
