/**
 * `npm run bench:warm`: the warm path's cost alone, repeated, for a shared and busy machine.
 *
 * `npm run bench` measures everything once; on two shared cores one run's wall-clock ratio moves by
 * half its value. This script measures only the figure issue 17 targets (the built hook's median per
 * registration over a bare `retrieveMultiple`, warm, concurrency 1) and repeats it in fresh child
 * processes, so that the spread is visible:
 * - each run is a child process (the same stand-ins as `timings.ts`: a local HTTPS Dataverse in a
 *   process of its own, a stub Entra `fetch`), which times hook and bare call interleaved in rounds,
 *   so that load drift hits both alike; the ratio is taken within the run, never across runs;
 * - besides wall time, the child's CPU time per call (`process.cpuUsage`), which other processes
 *   distort far less, and the hook's CPU per registration with its Dataverse call answered in memory
 *   (its own work, no TLS, no HTTP);
 * - `--cpu-prof <dir>` writes a V8 CPU profile of each child (`node --cpu-prof`), for
 *   `src/bench/profile-summary.ts`.
 *
 * Usage: `npm run bench:warm -- [--runs 5] [--rounds 20] [--per-round 250] [--cpu-prof <dir>] [--only hook|bare]`
 * (`--only`: the other side makes one call per round, so that a profile shows one side's costs).
 * Not a test: nothing here passes or fails a build.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { silenceConsole, startTimingStandIns } from './timing-stand-ins.js';
import { PROJECT_ROOT, percentile } from './support.js';
import { newSeries, type Series, timeRegistrations, timeWithoutNetwork } from './timings.js';
import { buildHook } from '../build/build-hook.js';
import { loadBuiltHook } from '../harness/load-hook.js';
import { createSelfSignedCertificate } from '../harness/self-signed.js';
import { formatTable } from '../harness/table.js';

/** What one child run measured: medians of wall µs, mean CPU µs per call. */
interface RunResult {
  hookMedianUs: number;
  bareMedianUs: number;
  hookCpuUs: number;
  bareCpuUs: number;
  /** Bare calls before the hook was first loaded in this process. */
  bareCleanMedianUs: number;
  bareCleanCpuUs: number;
  /** The hook with `retrieveMultiple` answered in memory: CPU per registration. */
  inMemoryCpuUs: number | undefined;
  inMemoryMedianUs: number | undefined;
}

const median = (values: readonly number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

async function child(resultFile: string, rounds: number, perRound: number): Promise<void> {
  const standIns = await startTimingStandIns();
  const { code } = await buildHook('pre-registration', standIns.configInput);
  const timeBare = async (series: Series, count: number) => {
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < count; i += 1) {
      const t0 = performance.now();
      await standIns.bareLookup();
      series.samples.push((performance.now() - t0) * 1000);
    }
    const cpu = process.cpuUsage(cpu0);
    series.cpuUs += cpu.user + cpu.system;
  };
  const restoreConsole = silenceConsole();
  try {
    // The bare call takes a few thousand calls to warm up (seen: 371, 145, 122 µs medians over
    // successive batches of 2,000); with less, this column measured the JIT, not the hook's absence.
    await timeBare(newSeries(), 4000);
    const bareClean = newSeries();
    await timeBare(bareClean, 2000);
    const { hook, unload } = loadBuiltHook(code);
    await timeRegistrations(hook, newSeries(), 1000, 'The hook did not allow the known customer.');
    const hookSeries = newSeries();
    const bareSeries = newSeries();
    // `--only hook|bare` (for a profile of one side): the other side's rounds are one call each,
    // and the in-memory phase is left out.
    const only = process.env['HOOK_WARM_ONLY'];
    for (let round = 0; round < rounds; round += 1) {
      await timeRegistrations(hook, hookSeries, only === 'bare' ? 1 : perRound, 'The hook did not allow the known customer.');
      await timeBare(bareSeries, only === 'hook' ? 1 : perRound);
    }
    unload();
    const inMemory = only === undefined ? await timeWithoutNetwork(code, standIns.config.dataverse.url) : undefined;
    const result: RunResult = {
      hookMedianUs: median(hookSeries.samples),
      bareMedianUs: median(bareSeries.samples),
      hookCpuUs: hookSeries.cpuUs / hookSeries.samples.length,
      bareCpuUs: bareSeries.cpuUs / bareSeries.samples.length,
      bareCleanMedianUs: median(bareClean.samples),
      bareCleanCpuUs: bareClean.cpuUs / bareClean.samples.length,
      inMemoryCpuUs: inMemory?.cpu,
      inMemoryMedianUs: inMemory?.median,
    };
    writeFileSync(resultFile, JSON.stringify(result));
  } finally {
    restoreConsole();
    standIns.close();
  }
}

function runChild(options: { rounds: number; perRound: number; cpuProfDir: string | undefined; only: string | undefined }): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'hook-warm-'));
  const { certPem, keyPem } = createSelfSignedCertificate('127.0.0.1');
  const certFile = join(dir, 'stand-in-cert.pem');
  const resultFile = join(dir, 'result.json');
  writeFileSync(certFile, certPem);
  const profile = options.cpuProfDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', options.cpuProfDir];
  const child = spawn(process.execPath, [...profile, '--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url)], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      HOOK_WARM_RESULT: resultFile,
      HOOK_WARM_ROUNDS: String(options.rounds),
      HOOK_WARM_PER_ROUND: String(options.perRound),
      ...(options.only === undefined ? {} : { HOOK_WARM_ONLY: options.only }),
      HOOK_BENCH_TLS_KEY: keyPem,
      HOOK_BENCH_TLS_CERT: certPem,
      NODE_EXTRA_CA_CERTS: certFile,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return new Promise<RunResult>((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      try {
        if (code !== 0) throw new Error(`The timing process exited with code ${String(code)}.`);
        resolvePromise(JSON.parse(readFileSync(resultFile, 'utf8')) as RunResult);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

const us = (value: number | undefined) => (value === undefined ? 'n/a' : `${Math.round(value)}`);
const spread = (values: readonly number[], digits: number) =>
  `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;

async function parent(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '5' },
      rounds: { type: 'string', default: '20' },
      'per-round': { type: 'string', default: '250' },
      'cpu-prof': { type: 'string' },
      only: { type: 'string' },
    },
    strict: true,
  });
  const runs = Number(values.runs);
  const rounds = Number(values.rounds);
  const perRound = Number(values['per-round']);
  if (![runs, rounds, perRound].every((n) => Number.isInteger(n) && n > 0)) throw new Error('--runs, --rounds and --per-round take positive integers.');
  const cpuProfDir = values['cpu-prof'] === undefined ? undefined : resolve(values['cpu-prof']);
  const only = values.only;
  if (only !== undefined && only !== 'hook' && only !== 'bare') throw new Error('--only takes hook or bare.');
  const cpu = cpus();
  console.log(
    `Machine: ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores, Node ${process.version}; load average ${loadavg()[0]?.toFixed(1)} at start`,
  );
  console.log(`${runs} runs, each ${rounds} rounds of ${perRound} hook registrations then ${perRound} bare calls (warm, concurrency 1)\n`);
  const results: RunResult[] = [];
  for (let run = 0; run < runs; run += 1) results.push(await runChild({ rounds, perRound, cpuProfDir, only }));
  const ratio = (r: RunResult) => r.hookMedianUs / r.bareMedianUs;
  const cpuRatio = (r: RunResult) => r.hookCpuUs / r.bareCpuUs;
  console.log(
    formatTable(
      [
        [
          'run',
          'hook median µs',
          'bare median µs',
          'ratio (median)',
          'hook CPU µs/call',
          'bare CPU µs/call',
          'CPU ratio',
          'bare before hook: median, CPU µs',
          'in memory: median, CPU µs',
        ],
        ...results.map((r, i) => [
          String(i + 1),
          us(r.hookMedianUs),
          us(r.bareMedianUs),
          ratio(r).toFixed(2),
          us(r.hookCpuUs),
          us(r.bareCpuUs),
          cpuRatio(r).toFixed(2),
          `${us(r.bareCleanMedianUs)}, ${us(r.bareCleanCpuUs)}`,
          `${us(r.inMemoryMedianUs)}, ${us(r.inMemoryCpuUs)}`,
        ]),
      ],
      'markdown',
    ),
  );
  console.log(`\nratio of medians, median (min–max) over runs: ${spread(results.map(ratio), 2)}`);
  console.log(`CPU per call ratio, median (min–max): ${spread(results.map(cpuRatio), 2)}`);
  console.log(
    `hook CPU µs per registration, median (min–max): ${spread(
      results.map((r) => r.hookCpuUs),
      0,
    )}`,
  );
  console.log(
    `bare CPU µs per call, median (min–max): ${spread(
      results.map((r) => r.bareCpuUs),
      0,
    )}`,
  );
  const inMemory = results.flatMap((r) => (r.inMemoryCpuUs === undefined ? [] : [r.inMemoryCpuUs]));
  if (inMemory.length > 0) console.log(`in memory: hook CPU µs per registration, median (min–max): ${spread(inMemory, 1)}`);
  console.log(`load average ${loadavg()[0]?.toFixed(1)} at end`);
  if (cpuProfDir !== undefined) console.log(`CPU profiles in ${cpuProfDir}`);
}

const resultFile = process.env['HOOK_WARM_RESULT'];
if (resultFile === undefined) {
  await parent();
} else {
  await child(resultFile, Number(process.env['HOOK_WARM_ROUNDS']), Number(process.env['HOOK_WARM_PER_ROUND']));
  // dynamics-web-api's keep-alive sockets are done with; no need to wait for them to time out.
  process.exit(0);
}
