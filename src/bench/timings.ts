/**
 * The timing half of `npm run bench`, run by `main.ts` as a child process (`node --expose-gc`,
 * NODE_EXTRA_CA_CERTS = the stand-in's certificate). No nock here: the built hook talks to a local
 * HTTPS Dataverse stand-in in its own process, so this process's CPU time is the client's alone,
 * and Entra is a stub `fetch` that serves the recorded token (fetched once, at load).
 * Writes its figures as JSON to HOOK_BENCH_RESULT.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silenceConsole, startTimingStandIns } from './timing-stand-ins.js';
import { EMAIL, PROJECT_ROOT, isAllow, percentile, registerOnce, runConcurrently } from './support.js';
import { buildHook } from '../build/build-hook.js';
import { registrationPayload } from '../harness/run-hook.js';
import { type BuiltHookFunction, loadBuiltHook } from '../harness/load-hook.js';

/** Wall time per call (median, p99) and this process's CPU time per call (mean), in µs. */
export interface Stats {
  median: number;
  p99: number;
  cpu: number;
}

/** Wall-time samples of a series of calls, and the process CPU time they used in total. */
export interface Series {
  readonly samples: number[];
  cpuUs: number;
}

export const newSeries = (): Series => ({ samples: [], cpuUs: 0 });

function statsOf(series: Series): Stats {
  const sorted = [...series.samples].sort((a, b) => a - b);
  return { median: percentile(sorted, 50), p99: percentile(sorted, 99), cpu: series.cpuUs / series.samples.length };
}

export interface Timings {
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

async function measureTimings(resultFile: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('Run with --expose-gc.');
  const { server, tokenEndpoint, configInput, config, bareLookup, close } = await startTimingStandIns();
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

  // The bare call: the same request the hook sends, with a fixed token (`startTimingStandIns`).
  let bareCalls = 0;
  const timeBare = async (series: Series, count: number) => {
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < count; i += 1) {
      const t0 = performance.now();
      await bareLookup();
      series.samples.push((performance.now() - t0) * 1000);
      bareCalls += 1;
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
      await timeRegistrations(hook, series, count, 'The hook did not allow the known customer.');
      registrations += count;
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
          await bareLookup();
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
    close();
  }
}

/** Times `count` sequential registrations of the known customer into `series` (wall µs and CPU). */
export async function timeRegistrations(hook: BuiltHookFunction, series: Series, count: number, notAllowed: string): Promise<void> {
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
    if (!isAllow(answer)) throw new Error(notAllowed);
  }
  const cpu = process.cpuUsage(cpu0);
  series.cpuUs += cpu.user + cpu.system;
}

const RETRIEVE_CALL = 'client.retrieveMultiple({';

/**
 * The built hook with its Dataverse call answered in memory (the recorded contact, a fresh copy per
 * call): the hook's own work, no TLS, no HTTP. `undefined` when the built file has no such call.
 */
export function loadAnsweredInMemory(code: string): { hook: BuiltHookFunction; unload: () => void } | undefined {
  if (!code.includes(RETRIEVE_CALL)) return undefined;
  const fixture = JSON.parse(readFileSync(join(PROJECT_ROOT, 'src/harness/recorded/contacts-one.json'), 'utf8')) as { value: Array<Record<string, unknown>> };
  const globals = globalThis as { __hookBenchRetrieve?: unknown };
  // What dynamics-web-api resolves with: the parsed body (a fresh copy per call).
  globals.__hookBenchRetrieve = () => Promise.resolve({ ...fixture, value: fixture.value.map((contact) => ({ ...contact })) });
  const { hook, unload } = loadBuiltHook(code.replaceAll(RETRIEVE_CALL, 'globalThis.__hookBenchRetrieve({'));
  return {
    hook,
    unload: () => {
      unload();
      delete globals.__hookBenchRetrieve;
    },
  };
}

export async function timeWithoutNetwork(code: string, dataverseUrl: string): Promise<Stats | undefined> {
  const loaded = loadAnsweredInMemory(code);
  if (loaded === undefined) return undefined;
  try {
    const series = newSeries();
    const run = (count: number, into: Series) =>
      timeRegistrations(loaded.hook, into, count, `The hook without network did not allow the known customer (${dataverseUrl}).`);
    await run(2000, newSeries());
    await run(20_000, series);
    return statsOf(series);
  } finally {
    loaded.unload();
  }
}

const resultFile = process.env['HOOK_BENCH_RESULT'];
if (resultFile !== undefined) {
  await measureTimings(resultFile);
  // dynamics-web-api's keep-alive sockets are done with; no need to wait for them to time out.
  process.exit(0);
}
