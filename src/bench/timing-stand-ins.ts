/**
 * The stand-ins of the timing child (`timings.ts`, and the storm's warm-cost phase): a local HTTPS
 * Dataverse in a process of its own (the lookup's collection, or one contact for a read by id),
 * a stub Entra token endpoint, and a console that drops the hook's log lines.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { DynamicsWebApi } from 'dynamics-web-api';
import { EMAIL, PROJECT_ROOT, benchConfig } from './support.js';
import { type ConfigInput, parseResolvedConfig, type ResolvedConfig } from '../hook/config.js';
import { lookupColumns } from '../hook/dataverse.js';
import { emailFilter } from '../hook/odata.js';

/** The Dataverse stand-in: its own process, so the timing process's CPU time is the client's alone. */
const SERVER_SOURCE = `
const https = require('node:https');
const { key, cert, body: collection, byIdBody, delayMs } = JSON.parse(process.env.HOOK_BENCH_SERVER);
let requests = 0;
const server = https.createServer({ key, cert, keepAliveTimeout: 60000 }, (req, res) => {
  requests += 1;
  req.resume();
  // GET contacts(<id>) (the sign-in gate's read by link) gets one contact; anything else the collection.
  const body = req.url.includes('/contacts(') ? byIdBody : collection;
  const answer = () => {
    res.writeHead(200, { 'content-type': 'application/json; odata.metadata=minimal', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  if (delayMs > 0) setTimeout(answer, delayMs);
  else answer();
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (message) => {
  if (message === 'count') process.send({ requests });
  if (message === 'close') { server.closeAllConnections(); server.close(); process.disconnect(); }
});
`;

export interface LocalServer {
  readonly url: string;
  requests(): Promise<number>;
  close(): void;
}

/**
 * `delayMs`: how long the stand-in waits before it answers (0: at once). A real Dataverse round
 * trip takes milliseconds, during which both processes sleep; with an instant answer the figures
 * also measure how this machine charges for work between round trips (docs/performance.md).
 */
export async function startLocalServer(key: string, cert: string, delayMs = 0): Promise<LocalServer> {
  const recorded = (name: string) => readFileSync(join(PROJECT_ROOT, 'src/harness/recorded', name), 'utf8');
  const body = recorded('contacts-one.json');
  const byIdBody = recorded('contact-by-id.json');
  const server = spawn(process.execPath, ['-e', SERVER_SOURCE], {
    env: { PATH: process.env['PATH'] ?? '', HOOK_BENCH_SERVER: JSON.stringify({ key, cert, body, byIdBody, delayMs }) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T>() =>
    new Promise<T>((resolve, reject) => {
      server.once('message', (message) => resolve(message as T));
      server.once('exit', (code) => reject(new Error(`The stand-in server exited (${String(code)}).`)));
    });
  const { port } = await next<{ port: number }>();
  return {
    url: `https://127.0.0.1:${port}`,
    requests: async () => {
      const reply = next<{ requests: number }>();
      server.send('count');
      return (await reply).requests;
    },
    close: () => {
      if (server.connected) server.send('close');
    },
  };
}

/** Entra stand-in for the child: the recorded token for every POST, counted; anything else refused. */
export function stubTokenEndpoint(): { requests: () => number; restore: () => void } {
  const original = globalThis.fetch;
  const token = readFileSync(join(PROJECT_ROOT, 'src/harness/recorded/token.json'), 'utf8');
  let requests = 0;
  globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    if (init?.method !== 'POST' || !url.includes('/oauth2/v2.0/token')) throw new Error('The benchmark allows no other request.');
    requests += 1;
    return new Response(token, { status: 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return { requests: () => requests, restore: () => (globalThis.fetch = original) };
}

/**
 * The hook writes one JSON log line per registration; in the timed phases it goes nowhere. Not
 * `captureConsole` (harness/run-hook.ts): that keeps and parses every line, which would add its own CPU time
 * and heap growth to the very figures measured here.
 */
export function silenceConsole(): () => void {
  const original = { log: console.log, error: console.error };
  console.log = () => undefined;
  console.error = () => undefined;
  return () => {
    console.log = original.log;
    console.error = original.error;
  };
}

/** What every timing child starts with (`timings.ts`, `warm-path.ts`, `warm-ab.ts`, `instructions.ts`). */
export interface TimingStandIns {
  readonly server: LocalServer;
  readonly tokenEndpoint: ReturnType<typeof stubTokenEndpoint>;
  /** The bench config pointed at the Dataverse stand-in, as given and as the hook resolves it. */
  readonly configInput: ConfigInput;
  readonly config: ResolvedConfig;
  /**
   * The bare call the hook is compared with: the lookup it sends (columns, filter, order, top) with
   * a fixed token, through the dynamics-web-api build the built hook `require`s (CJS) and so the
   * same keep-alive agent. Throws unless the stand-in's one contact comes back.
   */
  readonly bareLookup: (signal?: AbortSignal) => Promise<void>;
  close(): void;
}

/**
 * Starts the stand-ins of a timing child: the TLS key and certificate come from the parent
 * (`HOOK_BENCH_TLS_KEY`, `HOOK_BENCH_TLS_CERT`), and the client secret variable is set to a
 * placeholder (the stub token endpoint never checks it).
 */
export async function startTimingStandIns(delayMs = 0): Promise<TimingStandIns> {
  const server = await startLocalServer(process.env['HOOK_BENCH_TLS_KEY'] ?? '', process.env['HOOK_BENCH_TLS_CERT'] ?? '', delayMs);
  const tokenEndpoint = stubTokenEndpoint();
  process.env['DYNAMICS_CLIENT_SECRET'] = 'bench-secret-not-a-real-value';
  const configInput = benchConfig(server.url);
  const config = parseResolvedConfig(configInput);
  // Required on the first bare call, not here: `timings.ts` times the hook's first load, which
  // requires dynamics-web-api from disk only if nothing has yet.
  let client: DynamicsWebApi | undefined;
  const clientOf = () => {
    const { DynamicsWebApi: Client } = createRequire(join(PROJECT_ROOT, 'package.json'))('dynamics-web-api') as typeof import('dynamics-web-api');
    return new Client({ serverUrl: server.url, dataApi: { version: config.dataverse.apiVersion } });
  };
  const request = {
    collection: 'contacts',
    select: lookupColumns(config),
    filter: emailFilter(EMAIL, config.lookup.emailFields, config.lookup.activeOnly),
    orderBy: ['modifiedon desc'],
    top: 2,
    token: 'bench-fixed-token',
  };
  const bareLookup = async (signal?: AbortSignal) => {
    client ??= clientOf();
    const response = (await client.retrieveMultiple(signal === undefined ? request : { ...request, signal })) as { value?: unknown[] };
    if (response.value?.length !== 1) throw new Error('The bare call did not return the contact.');
  };
  return {
    server,
    tokenEndpoint,
    configInput,
    config,
    bareLookup,
    close: () => {
      tokenEndpoint.restore();
      server.close();
    },
  };
}
