/**
 * `npm run bench`: how close the built hook gets to one Dataverse round trip per registration.
 *
 * Two processes, so that each figure is measured where it means something:
 * - this one counts requests per registration against the recorded stand-ins (nock), exactly as
 *   `npm start` runs the hook;
 * - a child (`node --expose-gc`, no nock loaded) times the built hook against a local HTTPS
 *   Dataverse stand-in (its own process) that answers at once. nock would put its own interceptor
 *   cost on every request and distort a comparison of microseconds; a loopback server costs both
 *   sides the same. The hook's config only accepts an https URL, so the server has a self-signed
 *   certificate made at run time (`self-signed.ts`), trusted by the child via NODE_EXTRA_CA_CERTS
 *   (nothing turns certificate checks off). Entra is a stub `fetch` in the child: the token is
 *   fetched once at load and never again during the run, so it does not enter the timings.
 *
 * Offline, about a minute on two cores. Not a test: nothing here passes or fails a build.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DynamicsWebApi } from 'dynamics-web-api';
import { buildHook, MAX_HOOK_CHARACTERS } from './build.js';
import { type ConfigInput, parseResolvedConfig } from './config.js';
import { lookupColumns } from './dataverse.js';
import { registrationPayload } from './drive.js';
import { type BuiltHookFunction, loadBuiltHook } from './load-hook.js';
import { emailFilter } from './odata.js';
import { createSelfSignedCertificate } from './self-signed.js';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
const EMAIL = 'ada.lovelace@example.com';
const FIXED_TOKEN = 'bench-fixed-token';

/** The demo's config (`npm start`), with the Dataverse URL swapped per stand-in. */
function benchConfig(url: string): ConfigInput {
  return {
    dataverse: { url },
    auth: { tenantId: '11111111-2222-3333-4444-555555555555', clientId: '66666666-7777-8888-9999-000000000000', clientSecretVariable: 'DYNAMICS_CLIENT_SECRET' },
    lookup: { emailFields: ['emailaddress1'], activeOnly: true },
    policy: { notFound: 'showError', multipleMatches: 'allowMostRecent', invalidEmail: 'showError', onError: 'showError', timeoutMs: 2500 },
    enrich: { 'name.givenName': 'firstname', 'name.familyName': 'lastname', 'phoneNumbers.primaryPhoneNumber': 'mobilephone' },
  };
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

/** Runs the hook once; resolves when its promise settles (answer given and log line written). */
async function registerOnce(hook: BuiltHookFunction, email = EMAIL): Promise<unknown> {
  let answer: unknown;
  const keep = (value: unknown) => {
    answer = value;
  };
  await hook(registrationPayload(email), keep, keep);
  return answer;
}

function isAllow(answer: unknown): boolean {
  return typeof answer === 'object' && answer !== null && answer.constructor.name === 'RegistrationData';
}

function percentile(sortedUs: readonly number[], p: number): number {
  return sortedUs[Math.min(sortedUs.length - 1, Math.floor((p / 100) * sortedUs.length))] ?? NaN;
}

async function runConcurrently(total: number, concurrency: number, task: () => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next += 1;
        await task();
      }
    }),
  );
  return performance.now() - started;
}

/** The hook writes one JSON log line per registration; in the timed phases it goes nowhere. */
function silenceConsole(): () => void {
  const original = { log: console.log, error: console.error };
  console.log = () => undefined;
  console.error = () => undefined;
  return () => {
    console.log = original.log;
    console.error = original.error;
  };
}

// ---------------------------------------------------------------------------------------------
// Child: timings against a local HTTPS stand-in

/** Wall time per call (median, p99) and this process's CPU time per call (mean), in µs. */
interface Stats {
  median: number;
  p99: number;
  cpu: number;
}

/** Wall-time samples of a series of calls, and the process CPU time they used in total. */
interface Series {
  readonly samples: number[];
  cpuUs: number;
}

const newSeries = (): Series => ({ samples: [], cpuUs: 0 });

function statsOf(series: Series): Stats {
  const sorted = [...series.samples].sort((a, b) => a - b);
  return { median: percentile(sorted, 50), p99: percentile(sorted, 99), cpu: series.cpuUs / series.samples.length };
}

interface Timings {
  loadColdMs: number;
  loadWarmMedianMs: number;
  samples: number;
  bareCleanUs: Stats;
  bareUs: Stats;
  hookUs: Stats;
  /** The built hook with its Dataverse call swapped for an instant in-memory answer: its own work. */
  noNetworkUs: Stats | undefined;
  throughput: Array<{ concurrency: number; registrations: number; hookPerS: number; barePerS: number }>;
  memory: { registrations: number; beforeMb: number; afterMb: number };
  localServer: { registrations: number; dataverseRequests: number; tokenRequests: number; tokenRequestsSinceLoad: number; bareCalls: number };
}

/** The Dataverse stand-in: its own process, so the timing process's CPU time is the client's alone. */
const SERVER_SOURCE = `
const https = require('node:https');
const { key, cert, body } = JSON.parse(process.env.HOOK_BENCH_SERVER);
let requests = 0;
const server = https.createServer({ key, cert, keepAliveTimeout: 60000 }, (req, res) => {
  requests += 1;
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json; odata.metadata=minimal', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (message) => {
  if (message === 'count') process.send({ requests });
  if (message === 'close') { server.closeAllConnections(); server.close(); process.disconnect(); }
});
`;

interface LocalServer {
  readonly url: string;
  requests(): Promise<number>;
  close(): void;
}

async function startLocalServer(key: string, cert: string): Promise<LocalServer> {
  const body = readFileSync(join(PROJECT_ROOT, 'test/fixtures/contacts-one.json'), 'utf8');
  const server = spawn(process.execPath, ['-e', SERVER_SOURCE], {
    env: { PATH: process.env['PATH'] ?? '', HOOK_BENCH_SERVER: JSON.stringify({ key, cert, body }) },
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
function stubTokenEndpoint(): { requests: () => number; restore: () => void } {
  const original = globalThis.fetch;
  const token = readFileSync(join(PROJECT_ROOT, 'test/fixtures/token.json'), 'utf8');
  let requests = 0;
  globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    if (init?.method !== 'POST' || !url.includes('/oauth2/v2.0/token')) throw new Error('The benchmark allows no other request.');
    requests += 1;
    return new Response(token, { status: 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return { requests: () => requests, restore: () => (globalThis.fetch = original) };
}

async function measureTimings(resultFile: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('Run with --expose-gc.');
  const server = await startLocalServer(process.env['HOOK_BENCH_TLS_KEY'] ?? '', process.env['HOOK_BENCH_TLS_CERT'] ?? '');
  const tokenEndpoint = stubTokenEndpoint();
  process.env['DYNAMICS_CLIENT_SECRET'] = 'bench-secret-not-a-real-value';
  const configInput = benchConfig(server.url);
  const config = parseResolvedConfig(configInput);
  const { code } = await buildHook('pre-registration', configInput);

  // Load time: the first load compiles the file and requires its three packages from disk (what a
  // fresh Strivacity instance pays); later loads find the packages in the module cache.
  let started = performance.now();
  const first = loadBuiltHook(code);
  const loadColdMs = performance.now() - started;
  first.unload();
  const warmLoadsMs: number[] = [];
  for (let i = 0; i < 20; i += 1) {
    started = performance.now();
    loadBuiltHook(code).unload();
    warmLoadsMs.push(performance.now() - started);
  }
  warmLoadsMs.sort((a, b) => a - b);
  const loadWarmMedianMs = warmLoadsMs[10] ?? NaN;

  // The bare call: the same request the hook sends, with a fixed token, through the same
  // dynamics-web-api build (CJS, as the built hook `require`s it) and the same keep-alive agent.
  const { DynamicsWebApi: Client } = createRequire(join(PROJECT_ROOT, 'package.json'))('dynamics-web-api') as typeof import('dynamics-web-api');
  const bareClient: DynamicsWebApi = new Client({ serverUrl: server.url, dataApi: { version: config.dataverse.apiVersion } });
  const select = lookupColumns(config);
  const bareCall = () =>
    bareClient.retrieveMultiple({
      collection: 'contacts',
      select,
      filter: emailFilter(EMAIL, config.lookup.emailFields, config.lookup.activeOnly),
      orderBy: ['modifiedon desc'],
      top: 2,
      token: FIXED_TOKEN,
    });
  let bareCalls = 0;
  const timeBare = async (series: Series, count: number) => {
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < count; i += 1) {
      const t0 = performance.now();
      const response = (await bareCall()) as { value?: unknown[] };
      series.samples.push((performance.now() - t0) * 1000);
      bareCalls += 1;
      if (response.value?.length !== 1) throw new Error('The bare call did not return the contact.');
    }
    const cpu = process.cpuUsage(cpu0);
    series.cpuUs += cpu.user + cpu.system;
  };

  const restoreConsole = silenceConsole();
  try {
    // 1. The bare call in a process where the hook has not run yet (see the note on
    //    AsyncLocalStorage in the printed results: the hook's crash guard enables it).
    await timeBare(newSeries(), 1000);
    const bareClean = newSeries();
    await timeBare(bareClean, 5000);

    const tokenRequestsBeforeLoad = tokenEndpoint.requests();
    const { hook, unload } = loadBuiltHook(code);
    let registrations = 0;
    const timeHook = async (series: Series, count: number) => {
      const cpu0 = process.cpuUsage();
      for (let i = 0; i < count; i += 1) {
        const payload = registrationPayload(EMAIL);
        let answer: unknown;
        const keep = (value: unknown) => {
          answer = value;
        };
        const t0 = performance.now();
        await hook(payload, keep, keep);
        series.samples.push((performance.now() - t0) * 1000);
        registrations += 1;
        if (!isAllow(answer)) throw new Error('The hook did not allow the known customer.');
      }
      const cpu = process.cpuUsage(cpu0);
      series.cpuUs += cpu.user + cpu.system;
    };
    await timeHook(newSeries(), 1000);
    const tokenRequestsBefore = tokenEndpoint.requests();
    const serverRequestsBefore = await server.requests();
    const registrationsBefore = registrations;
    const bareCallsBefore = bareCalls;

    // 2. Warm registrations vs bare calls, interleaved in rounds so drift hits both alike.
    const hookSeries = newSeries();
    const bareSeries = newSeries();
    for (let round = 0; round < 20; round += 1) {
      await timeHook(hookSeries, 250);
      await timeBare(bareSeries, 250);
    }

    // 3. Throughput: three alternating rounds of 1,000 per side; the median round counts.
    const throughput: Timings['throughput'] = [];
    const medianOf = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
    for (const concurrency of [1, 10, 50]) {
      const perRound = 1000;
      const hookRates: number[] = [];
      const bareRates: number[] = [];
      for (let round = 0; round < 3; round += 1) {
        const hookMs = await runConcurrently(perRound, concurrency, async () => {
          await registerOnce(hook);
          registrations += 1;
        });
        const bareMs = await runConcurrently(perRound, concurrency, async () => {
          await bareCall();
          bareCalls += 1;
        });
        hookRates.push((perRound / hookMs) * 1000);
        bareRates.push((perRound / bareMs) * 1000);
      }
      throughput.push({ concurrency, registrations: perRound * 3, hookPerS: medianOf(hookRates), barePerS: medianOf(bareRates) });
    }

    // 4. Heap after 10,000 registrations (concurrency 10), after a full GC on both sides.
    const settle = async () => {
      for (let i = 0; i < 3; i += 1) {
        gc();
        await new Promise((resolve) => setImmediate(resolve));
      }
      return process.memoryUsage().heapUsed / 2 ** 20;
    };
    const beforeMb = await settle();
    await runConcurrently(10_000, 10, async () => {
      await registerOnce(hook);
      registrations += 1;
    });
    const afterMb = await settle();

    const localServer = {
      registrations: registrations - registrationsBefore,
      dataverseRequests: (await server.requests()) - serverRequestsBefore - (bareCalls - bareCallsBefore),
      tokenRequests: tokenEndpoint.requests() - tokenRequestsBefore,
      tokenRequestsSinceLoad: tokenEndpoint.requests() - tokenRequestsBeforeLoad,
      bareCalls: bareCalls - bareCallsBefore,
    };
    unload();

    // 5. The hook's own work, without any network: the built file with `client.retrieveMultiple`
    //    answered in memory (undefined if the built code no longer has that exact call).
    const noNetworkUs = await timeWithoutNetwork(code, config.dataverse.url);

    const timings: Timings = {
      loadColdMs,
      loadWarmMedianMs,
      samples: hookSeries.samples.length,
      bareCleanUs: statsOf(bareClean),
      bareUs: statsOf(bareSeries),
      hookUs: statsOf(hookSeries),
      noNetworkUs,
      throughput,
      memory: { registrations: 10_000, beforeMb, afterMb },
      localServer,
    };
    writeFileSync(resultFile, JSON.stringify(timings));
  } finally {
    restoreConsole();
    tokenEndpoint.restore();
    server.close();
  }
}

const RETRIEVE_CALL = 'client.retrieveMultiple({';

async function timeWithoutNetwork(code: string, dataverseUrl: string): Promise<Stats | undefined> {
  if (!code.includes(RETRIEVE_CALL)) return undefined;
  const fixture = JSON.parse(readFileSync(join(PROJECT_ROOT, 'test/fixtures/contacts-one.json'), 'utf8')) as { value: Array<Record<string, unknown>> };
  const globals = globalThis as { __hookBenchRetrieve?: unknown };
  // What dynamics-web-api resolves with: the parsed body (a fresh copy per call).
  globals.__hookBenchRetrieve = () => Promise.resolve({ ...fixture, value: fixture.value.map((contact) => ({ ...contact })) });
  const { hook, unload } = loadBuiltHook(code.replaceAll(RETRIEVE_CALL, 'globalThis.__hookBenchRetrieve({'));
  try {
    const series = newSeries();
    const run = async (count: number, into: Series) => {
      const cpu0 = process.cpuUsage();
      for (let i = 0; i < count; i += 1) {
        const payload = registrationPayload(EMAIL);
        let answer: unknown;
        const keep = (value: unknown) => {
          answer = value;
        };
        const t0 = performance.now();
        await hook(payload, keep, keep);
        into.samples.push((performance.now() - t0) * 1000);
        if (!isAllow(answer)) throw new Error(`The hook without network did not allow the known customer (${dataverseUrl}).`);
      }
      const cpu = process.cpuUsage(cpu0);
      into.cpuUs += cpu.user + cpu.system;
    };
    await run(2000, newSeries());
    await run(20_000, series);
    return statsOf(series);
  } finally {
    unload();
    delete globals.__hookBenchRetrieve;
  }
}

// ---------------------------------------------------------------------------------------------
// Parent: request counts against the recorded stand-ins (nock), then the table

interface RequestCounts {
  label: string;
  registrations: number;
  tokenDuring: number;
  tokenTotal: number;
  dataverse: number;
}

async function countRequests(): Promise<{ rows: RequestCounts[]; sizeCharacters: number }> {
  // nock is loaded here only, never in the timing child.
  const { serveRecordedResponses } = await import('./stand-in.js');
  const configInput = benchConfig('https://contoso.crm4.dynamics.com');
  const config = parseResolvedConfig(configInput);
  process.env['DYNAMICS_CLIENT_SECRET'] = 'bench-secret-not-a-real-value';
  const { code } = await buildHook('pre-registration', configInput);
  const rows: RequestCounts[] = [];
  const restoreConsole = silenceConsole();
  try {
    const run = async (label: string, registrations: number, options: { settle: boolean; concurrent: boolean; warmFirst?: boolean }) => {
      const standIn = serveRecordedResponses(config);
      const { hook, unload } = loadBuiltHook(code);
      try {
        if (options.settle) await waitForPrefetch(standIn.counts);
        if (options.warmFirst === true) await registerOnce(hook);
        const token0 = standIn.counts.token;
        const contacts0 = standIn.counts.contacts;
        const answers = options.concurrent
          ? await Promise.all(Array.from({ length: registrations }, () => registerOnce(hook)))
          : await sequentially(registrations, () => registerOnce(hook));
        if (!answers.every(isAllow)) throw new Error(`${label}: not every registration was allowed.`);
        rows.push({ label, registrations, tokenDuring: standIn.counts.token - token0, tokenTotal: standIn.counts.token, dataverse: standIn.counts.contacts - contacts0 });
      } finally {
        unload();
        standIn.close();
      }
    };
    await run('cold: 1st registration right after load (pre-fetch in flight)', 1, { settle: false, concurrent: false });
    await run('cold: 1st registration after the pre-fetch', 1, { settle: true, concurrent: false });
    await run('warm: 100 sequential registrations', 100, { settle: true, concurrent: false, warmFirst: true });
    await run('cold: 50 concurrent right after load', 50, { settle: false, concurrent: true });
  } finally {
    restoreConsole();
  }
  return { rows, sizeCharacters: code.length };
}

async function waitForPrefetch(counts: { token: number }): Promise<void> {
  for (let i = 0; i < 200 && counts.token === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
  // The reply has been served; give MSAL a moment to cache it.
  await new Promise((resolve) => setTimeout(resolve, 50));
}

async function sequentially<T>(count: number, task: () => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < count; i += 1) results.push(await task());
  return results;
}

function runTimingChild(): Promise<Timings> {
  const dir = mkdtempSync(join(tmpdir(), 'hook-bench-'));
  const { certPem, keyPem } = createSelfSignedCertificate('127.0.0.1');
  const certFile = join(dir, 'stand-in-cert.pem');
  const resultFile = join(dir, 'timings.json');
  writeFileSync(certFile, certPem);
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url)], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, HOOK_BENCH_ROLE: 'timings', HOOK_BENCH_RESULT: resultFile, HOOK_BENCH_TLS_KEY: keyPem, HOOK_BENCH_TLS_CERT: certPem, NODE_EXTRA_CA_CERTS: certFile },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return new Promise<Timings>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      try {
        if (code !== 0) throw new Error(`The timing process exited with code ${String(code)}.`);
        resolve(JSON.parse(readFileSync(resultFile, 'utf8')) as Timings);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Output

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows
    .flatMap((row, index) => {
      const line = `| ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
      return index === 0 ? [line, `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`] : [line];
    })
    .join('\n');
}

const us = (value: number) => `${Math.round(value)} µs`;
const verdict = (met: boolean) => (met ? 'met' : 'NOT met');

function report(counts: RequestCounts[], sizeCharacters: number, t: Timings, elapsedS: number): void {
  const cpu = cpus();
  console.log(`Machine: ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores, Node ${process.version}, ${process.platform}/${process.arch}`);
  console.log('Command: npm run bench\n');

  console.log('Requests per registration (built hook, recorded stand-ins via nock)\n');
  console.log(
    table([
      ['scenario', 'registrations', 'token requests during', 'token requests since load', 'Dataverse requests', 'Dataverse per registration'],
      ...counts.map((r) => [r.label, String(r.registrations), String(r.tokenDuring), String(r.tokenTotal), String(r.dataverse), (r.dataverse / r.registrations).toFixed(2)]),
      [
        `warm: local HTTPS stand-in, timed phases below`,
        String(t.localServer.registrations),
        String(t.localServer.tokenRequests),
        String(t.localServer.tokenRequestsSinceLoad),
        String(t.localServer.dataverseRequests),
        (t.localServer.dataverseRequests / t.localServer.registrations).toFixed(2),
      ],
    ]),
  );

  const ratioMedian = t.hookUs.median / t.bareUs.median;
  const ratioP99 = t.hookUs.p99 / t.bareUs.p99;
  const ratioCpu = t.hookUs.cpu / t.bareUs.cpu;
  console.log(`\nThe hook's own overhead (warm, concurrency 1, local HTTPS stand-in answering at once, ${t.samples.toLocaleString('en')} samples each, interleaved in rounds)\n`);
  console.log(
    table([
      ['', 'median (wall)', 'p99 (wall)', 'client CPU per call (mean)'],
      ['built hook: one registration', us(t.hookUs.median), us(t.hookUs.p99), us(t.hookUs.cpu)],
      ['bare retrieveMultiple, fixed token', us(t.bareUs.median), us(t.bareUs.p99), us(t.bareUs.cpu)],
      ['ratio hook / bare (target <= 1.2)', ratioMedian.toFixed(2), ratioP99.toFixed(2), ratioCpu.toFixed(2)],
      ['overhead: hook - bare', us(t.hookUs.median - t.bareUs.median), us(t.hookUs.p99 - t.bareUs.p99), us(t.hookUs.cpu - t.bareUs.cpu)],
      ['bare, before the hook first ran in this process', us(t.bareCleanUs.median), us(t.bareCleanUs.p99), us(t.bareCleanUs.cpu)],
      t.noNetworkUs === undefined
        ? ['built hook, Dataverse call answered in memory', 'n/a', 'n/a', 'n/a']
        : ['built hook, Dataverse call answered in memory (20,000)', us(t.noNetworkUs.median), us(t.noNetworkUs.p99), us(t.noNetworkUs.cpu)],
    ]),
  );

  console.log('\nThroughput (median of 3 alternating rounds of 1,000 per side, local HTTPS stand-in; the hook caps Dataverse requests in flight at policy.maxConcurrentRequests = 10)\n');
  console.log(
    table([
      ['concurrency', 'built hook, registrations/s', 'bare retrieveMultiple, calls/s', 'hook / bare'],
      ...t.throughput.map((r) => [String(r.concurrency), r.hookPerS.toFixed(0), r.barePerS.toFixed(0), (r.hookPerS / r.barePerS).toFixed(2)]),
    ]),
  );

  const growthMb = t.memory.afterMb - t.memory.beforeMb;
  console.log('\nMemory, load and size\n');
  console.log(
    table([
      ['figure', 'value', 'target', 'verdict'],
      [`heap after GC, before -> after ${t.memory.registrations.toLocaleString('en')} registrations`, `${t.memory.beforeMb.toFixed(1)} MB -> ${t.memory.afterMb.toFixed(1)} MB (${growthMb >= 0 ? '+' : ''}${growthMb.toFixed(2)} MB)`, 'within 5 MB', verdict(Math.abs(growthMb) <= 5)],
      ['load time of the built file, first load (requires its packages)', `${t.loadColdMs.toFixed(1)} ms`, '-', '-'],
      ['load time, later loads (packages cached), median of 20', `${t.loadWarmMedianMs.toFixed(2)} ms`, '-', '-'],
      ['size of the built file', `${sizeCharacters.toLocaleString('en')} characters`, `<= ${MAX_HOOK_CHARACTERS.toLocaleString('en')}`, verdict(sizeCharacters <= MAX_HOOK_CHARACTERS)],
    ]),
  );

  const byLabel = (prefix: string) => counts.find((r) => r.label.startsWith(prefix));
  const warm = byLabel('warm');
  const coldSettled = byLabel('cold: 1st registration after');
  const concurrent = byLabel('cold: 50');
  console.log('\nTargets\n');
  console.log(
    table([
      ['target', 'measured', 'verdict'],
      [
        'warm: 1 request per registration',
        `${warm?.tokenDuring ?? '?'} token + ${((warm?.dataverse ?? 0) / (warm?.registrations ?? 1)).toFixed(2)} Dataverse per registration (nock); ${t.localServer.tokenRequests} token + ${(t.localServer.dataverseRequests / t.localServer.registrations).toFixed(2)} Dataverse (local server)`,
        verdict(warm?.tokenDuring === 0 && warm.dataverse === warm.registrations && t.localServer.tokenRequests === 0 && t.localServer.dataverseRequests === t.localServer.registrations),
      ],
      ['cold after pre-fetch: 1 request', `${coldSettled?.tokenDuring ?? '?'} token + ${coldSettled?.dataverse ?? '?'} Dataverse`, verdict(coldSettled?.tokenDuring === 0 && coldSettled.dataverse === 1)],
      ['50 concurrent cold: 1 token request in total', `${concurrent?.tokenTotal ?? '?'} token request(s)`, verdict(concurrent?.tokenTotal === 1)],
      ['overhead ratio <= 1.2 (median, p99)', `${ratioMedian.toFixed(2)}, ${ratioP99.toFixed(2)}`, verdict(ratioMedian <= 1.2 && ratioP99 <= 1.2)],
      ['heap growth within 5 MB', `${growthMb.toFixed(2)} MB`, verdict(Math.abs(growthMb) <= 5)],
      ['size <= 256,000 characters', sizeCharacters.toLocaleString('en'), verdict(sizeCharacters <= MAX_HOOK_CHARACTERS)],
    ]),
  );
  console.log(`\nBenchmark took ${elapsedS.toFixed(1)} s.`);
}

async function main(): Promise<void> {
  const started = performance.now();
  console.log('Benchmarking the built pre-registration hook (offline)...\n');
  const timings = await runTimingChild();
  const { rows, sizeCharacters } = await countRequests();
  report(rows, sizeCharacters, timings, (performance.now() - started) / 1000);
}

if (process.env['HOOK_BENCH_ROLE'] === 'timings') {
  await measureTimings(process.env['HOOK_BENCH_RESULT'] ?? '');
  // dynamics-web-api's keep-alive sockets are done with; no need to wait for them to time out.
  process.exit(0);
} else {
  await main();
}
