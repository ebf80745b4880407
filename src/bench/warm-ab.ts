/**
 * `npx tsx src/bench/warm-ab.ts`: two or more built hooks (before and after a change) timed in ONE
 * process, interleaved with the bare `retrieveMultiple`, so that a change is compared under the same
 * load, the same JIT state and the same kept-alive socket. `npm run bench:warm` compares runs of
 * one build; on two shared cores its ratio moves by a tenth or more from run to run, more than most
 * single changes to the hook are worth.
 *
 * - `--write-config <file>`: writes the bench config (the demo's, Dataverse at a placeholder URL);
 *   build it in any checkout with `npm run build -- --config <file> --out <hook.js>`;
 * - `--hook <hook.js>` (repeatable): the built files to time; the placeholder URL is replaced by the
 *   stand-in's;
 * - `--bare-signal`: also a bare call given a new `AbortController`'s signal per call, as the hook
 *   gives its deadline's signal to dynamics-web-api (which hands it to `https.request`);
 * - `--in-memory`: for each hook, also the hook with its Dataverse call answered in memory, and a
 *   bare call followed by that in-memory registration, timed as one: the hook's own work placed
 *   between round trips, without its guards on the network call;
 * - `--spin <µs,...>`: also a bare call followed by that many microseconds of busy loop (the figure
 *   is the median minus the loop): what this machine adds to a round trip after the process was
 *   busy for that long;
 * - `--server-delay-ms <n>`: the stand-in answers after n ms, as a real Dataverse does after its
 *   round trip (default 0, at once).
 *
 * Each run is a fresh child process with the stand-ins of `warm-path.ts`; inside it, after warm-up,
 * `--rounds` rounds of `--per-round` calls per side, the order rotated every round. The figures are
 * medians (wall) and CPU per call (`process.cpuUsage`), each side's ratio to the bare call. Not a
 * test: nothing here passes or fails a build.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { silenceConsole, startTimingStandIns } from './timing-stand-ins.js';
import { PROJECT_ROOT, benchConfig, isAllow, percentile, registerOnce } from './support.js';
import { loadAnsweredInMemory, newSeries, type Series, timeRegistrations } from './timings.js';
import { type BuiltHookFunction, loadBuiltHook } from '../harness/load-hook.js';
import { createSelfSignedCertificate } from '../harness/self-signed.js';
import { formatTable } from '../harness/table.js';

/** Where the written config points Dataverse; each child swaps in its stand-in's URL. */
const PLACEHOLDER_URL = 'https://127.0.0.1:1';

interface SideResult {
  readonly name: string;
  readonly medianUs: number;
  readonly cpuUs: number;
}

interface ChildOptions {
  readonly hooks: readonly string[];
  readonly bareSignal: boolean;
  readonly inMemory: boolean;
  readonly spinUs: readonly number[];
  readonly serverDelayMs: number;
  readonly rounds: number;
  readonly perRound: number;
}

async function child(resultFile: string, options: ChildOptions): Promise<void> {
  const standIns = await startTimingStandIns(options.serverDelayMs);
  const codes = options.hooks.map((file) => readFileSync(file, 'utf8').replaceAll(PLACEHOLDER_URL, standIns.server.url));
  const hooks = codes.map((code) => loadBuiltHook(code).hook);
  const inMemory = options.inMemory ? codes.map((code) => loadAnsweredInMemory(code)?.hook) : [];
  /** One bare call, then `after` (timed with it); the sample is the whole less `creditUs`. */
  const timeBare = async (series: Series, count: number, withSignal: boolean, after?: () => Promise<void> | void, creditUs = 0) => {
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < count; i += 1) {
      const t0 = performance.now();
      await standIns.bareLookup(withSignal ? new AbortController().signal : undefined);
      if (after !== undefined) await after();
      series.samples.push((performance.now() - t0) * 1000 - creditUs);
    }
    const cpu = process.cpuUsage(cpu0);
    series.cpuUs += cpu.user + cpu.system;
  };
  const busyFor = (us: number) => {
    const until = performance.now() + us / 1000;
    while (performance.now() < until);
  };
  // One registration, nothing else: timeRegistrations would add two process.cpuUsage() calls, two
  // system calls that this machine charges between round trips too.
  const registerInMemory = async (hook: BuiltHookFunction) => {
    if (!isAllow(await registerOnce(hook))) throw new Error('The hook answered in memory did not allow the known customer.');
  };
  const sides = [
    { name: 'bare retrieveMultiple', time: (series: Series, count: number) => timeBare(series, count, false) },
    ...(options.bareSignal ? [{ name: 'bare, new signal per call', time: (series: Series, count: number) => timeBare(series, count, true) }] : []),
    ...options.spinUs.map((us) => ({
      name: `bare, then ${String(us)} µs busy (median less the ${String(us)} µs)`,
      time: (series: Series, count: number) => timeBare(series, count, false, () => busyFor(us), us),
    })),
    ...hooks.map((hook, index) => ({
      name: `hook ${String(index + 1)}: ${options.hooks[index] ?? ''}`,
      time: (series: Series, count: number) => timeRegistrations(hook, series, count, 'The hook did not allow the known customer.'),
    })),
    ...inMemory.flatMap((hook, index) =>
      hook === undefined
        ? []
        : [
            {
              name: `hook ${String(index + 1)}, Dataverse answered in memory`,
              time: (series: Series, count: number) => timeRegistrations(hook, series, count, 'The hook answered in memory did not allow the known customer.'),
            },
            {
              name: `bare, then hook ${String(index + 1)} answered in memory`,
              time: (series: Series, count: number) => timeBare(series, count, false, () => registerInMemory(hook)),
            },
          ],
    ),
  ];
  const restoreConsole = silenceConsole();
  try {
    for (let warmUp = 0; warmUp < 3; warmUp += 1) for (const side of sides) await side.time(newSeries(), 500);
    const series = sides.map(() => newSeries());
    for (let round = 0; round < options.rounds; round += 1) {
      for (let k = 0; k < sides.length; k += 1) {
        const index = (k + round) % sides.length;
        await sides[index]?.time(series[index] ?? newSeries(), options.perRound);
      }
    }
    const results: SideResult[] = sides.map((side, index) => {
      const { samples, cpuUs } = series[index] ?? newSeries();
      return {
        name: side.name,
        medianUs: percentile(
          [...samples].sort((a, b) => a - b),
          50,
        ),
        cpuUs: cpuUs / samples.length,
      };
    });
    writeFileSync(resultFile, JSON.stringify(results));
  } finally {
    restoreConsole();
    standIns.close();
  }
}

function runChild(options: ChildOptions): Promise<SideResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'hook-warm-ab-'));
  const { certPem, keyPem } = createSelfSignedCertificate('127.0.0.1');
  const certFile = join(dir, 'stand-in-cert.pem');
  const resultFile = join(dir, 'result.json');
  writeFileSync(certFile, certPem);
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url)], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      HOOK_WARM_AB: JSON.stringify({ resultFile, options }),
      HOOK_BENCH_TLS_KEY: keyPem,
      HOOK_BENCH_TLS_CERT: certPem,
      NODE_EXTRA_CA_CERTS: certFile,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return new Promise<SideResult[]>((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      try {
        if (code !== 0) throw new Error(`The timing process exited with code ${String(code)}.`);
        resolvePromise(JSON.parse(readFileSync(resultFile, 'utf8')) as SideResult[]);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

async function parent(): Promise<void> {
  const { values } = parseArgs({
    options: {
      hook: { type: 'string', multiple: true, default: [] },
      'bare-signal': { type: 'boolean', default: false },
      'in-memory': { type: 'boolean', default: false },
      spin: { type: 'string', default: '' },
      'server-delay-ms': { type: 'string', default: '0' },
      'write-config': { type: 'string' },
      runs: { type: 'string', default: '3' },
      rounds: { type: 'string', default: '10' },
      'per-round': { type: 'string', default: '250' },
    },
    strict: true,
  });
  if (values['write-config'] !== undefined) {
    writeFileSync(values['write-config'], `${JSON.stringify(benchConfig(PLACEHOLDER_URL), null, 2)}\n`);
    console.log(`Wrote ${values['write-config']}; build it with: npm run build -- --config ${values['write-config']} --out <hook.js>`);
    return;
  }
  const runs = Number(values.runs);
  const rounds = Number(values.rounds);
  const perRound = Number(values['per-round']);
  if (![runs, rounds, perRound].every((n) => Number.isInteger(n) && n > 0)) throw new Error('--runs, --rounds and --per-round take positive integers.');
  const spinUs = values.spin === '' ? [] : values.spin.split(',').map(Number);
  if (!spinUs.every((us) => Number.isInteger(us) && us > 0)) throw new Error('--spin takes a comma-separated list of positive integers (microseconds).');
  const serverDelayMs = Number(values['server-delay-ms']);
  if (!Number.isInteger(serverDelayMs) || serverDelayMs < 0) throw new Error('--server-delay-ms takes a whole number of milliseconds.');
  const options: ChildOptions = {
    hooks: values.hook.map((file) => resolve(file)),
    bareSignal: values['bare-signal'],
    inMemory: values['in-memory'],
    spinUs,
    serverDelayMs,
    rounds,
    perRound,
  };
  if (options.hooks.length === 0 && !options.bareSignal && spinUs.length === 0)
    throw new Error('Name at least one --hook <built file>, --bare-signal or --spin.');
  for (let run = 1; run <= runs; run += 1) {
    const loadBefore = loadavg()[0]?.toFixed(1) ?? '?';
    const results = await runChild(options);
    const bare = results[0];
    console.log(`\nrun ${String(run)}, load average ${loadBefore} at start, ${loadavg()[0]?.toFixed(1) ?? '?'} at end`);
    console.log(
      formatTable(
        [
          ['side', 'median µs', 'CPU µs/call', 'median / bare', 'CPU / bare'],
          ...results.map((r) => [
            r.name,
            String(Math.round(r.medianUs)),
            String(Math.round(r.cpuUs)),
            bare === undefined ? 'n/a' : (r.medianUs / bare.medianUs).toFixed(2),
            bare === undefined ? 'n/a' : (r.cpuUs / bare.cpuUs).toFixed(2),
          ]),
        ],
        'markdown',
      ),
    );
  }
}

const childArguments = process.env['HOOK_WARM_AB'];
if (childArguments === undefined) {
  await parent();
} else {
  const { resultFile, options } = JSON.parse(childArguments) as { resultFile: string; options: ChildOptions };
  await child(resultFile, options);
  // dynamics-web-api's keep-alive sockets are done with; no need to wait for them to time out.
  process.exit(0);
}
