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
 * The timing half is `timings.ts`; the bursts (50, 200 and 400 registrations at once on a
 * Dataverse that never answers, 400 on one that throttles) are `burst.ts`; the login storm (the
 * sign-in gate at three times Dataverse's rate, and its warm cost) is `storm.ts`, with the flags of
 * `npm run bench:storm` (`--duration`, `--rate`, ...). Offline, about a minute on two cores. Not a
 * test: nothing here passes or fails a build.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchBursts } from './burst.js';
import { formatStorm, parseStormArgs, runStorm } from './storm.js';
import { PROJECT_ROOT, benchConfig, isAllow, registerOnce } from './support.js';
import type { Timings } from './timings.js';
import { MAX_HOOK_CHARACTERS } from '../build/artifact.js';
import { buildHook } from '../build/build-hook.js';
import { parseResolvedConfig } from '../hook/config.js';
import { captureConsole } from '../harness/run-hook.js';
import { loadBuiltHook } from '../harness/load-hook.js';
import { createSelfSignedCertificate } from '../harness/self-signed.js';
import { formatTable } from '../harness/table.js';

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
  const { serveRecordedResponses, waitForTokenPrefetch } = await import('../harness/stand-in.js');
  const configInput = benchConfig('https://contoso.crm4.dynamics.com');
  const config = parseResolvedConfig(configInput);
  process.env['DYNAMICS_CLIENT_SECRET'] = 'bench-secret-not-a-real-value';
  const { code } = await buildHook('pre-registration', configInput);
  const rows: RequestCounts[] = [];
  // The hook's log lines (one per registration) are kept off the report.
  await captureConsole(async () => {
    const run = async (label: string, registrations: number, options: { settle: boolean; concurrent: boolean; warmFirst?: boolean }) => {
      const standIn = serveRecordedResponses(config);
      const { hook, unload } = loadBuiltHook(code);
      try {
        if (options.settle) await waitForTokenPrefetch(standIn, 5_000);
        if (options.warmFirst === true) await registerOnce(hook);
        const token0 = standIn.counts.token;
        const contacts0 = standIn.counts.contacts;
        const answers = options.concurrent
          ? await Promise.all(Array.from({ length: registrations }, () => registerOnce(hook)))
          : await sequentially(registrations, () => registerOnce(hook));
        if (!answers.every(isAllow)) throw new Error(`${label}: not every registration was allowed.`);
        rows.push({
          label,
          registrations,
          tokenDuring: standIn.counts.token - token0,
          tokenTotal: standIn.counts.token,
          dataverse: standIn.counts.contacts - contacts0,
        });
      } finally {
        unload();
        standIn.close();
      }
    };
    await run('cold: 1st registration right after load (pre-fetch in flight)', 1, { settle: false, concurrent: false });
    await run('cold: 1st registration after the pre-fetch', 1, { settle: true, concurrent: false });
    await run('warm: 100 sequential registrations', 100, { settle: true, concurrent: false, warmFirst: true });
    await run('cold: 50 concurrent right after load', 50, { settle: false, concurrent: true });
  });
  return { rows, sizeCharacters: code.length };
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
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(new URL('./timings.ts', import.meta.url))], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, HOOK_BENCH_RESULT: resultFile, HOOK_BENCH_TLS_KEY: keyPem, HOOK_BENCH_TLS_CERT: certPem, NODE_EXTRA_CA_CERTS: certFile },
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

const table = (rows: readonly (readonly string[])[]) => formatTable(rows, 'markdown');
const us = (value: number) => `${Math.round(value)} µs`;
const verdict = (met: boolean) => (met ? 'met' : 'NOT met');

function report(counts: RequestCounts[], sizeCharacters: number, t: Timings, bursts: string, storm: string, elapsedS: number): void {
  const cpu = cpus();
  console.log(`Machine: ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores, Node ${process.version}, ${process.platform}/${process.arch}`);
  console.log('Command: npm run bench\n');

  console.log('Requests per registration (built hook, recorded stand-ins via nock)\n');
  console.log(
    table([
      ['scenario', 'registrations', 'token requests during', 'token requests since load', 'Dataverse requests', 'Dataverse per registration'],
      ...counts.map((r) => [
        r.label,
        String(r.registrations),
        String(r.tokenDuring),
        String(r.tokenTotal),
        String(r.dataverse),
        (r.dataverse / r.registrations).toFixed(2),
      ]),
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
  console.log(
    `\nThe hook's own overhead (warm, concurrency 1, local HTTPS stand-in answering at once, ${t.samples.toLocaleString('en')} samples each, interleaved in rounds)\n`,
  );
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

  console.log(
    '\nThroughput (median of 3 alternating rounds of 1,000 per side, local HTTPS stand-in; the hook caps Dataverse requests in flight at policy.maxConcurrentRequests = 10)\n',
  );
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
      [
        `heap after GC, before -> after ${t.memory.registrations.toLocaleString('en')} registrations`,
        `${t.memory.beforeMb.toFixed(1)} MB -> ${t.memory.afterMb.toFixed(1)} MB (${growthMb >= 0 ? '+' : ''}${growthMb.toFixed(2)} MB)`,
        'within 5 MB',
        verdict(Math.abs(growthMb) <= 5),
      ],
      ['load time of the built file, first load (requires its packages)', `${t.loadColdMs.toFixed(1)} ms`, '-', '-'],
      ['load time, later loads (packages cached), median of 20', `${t.loadWarmMedianMs.toFixed(2)} ms`, '-', '-'],
      [
        'size of the built file',
        `${sizeCharacters.toLocaleString('en')} characters`,
        `<= ${MAX_HOOK_CHARACTERS.toLocaleString('en')}`,
        verdict(sizeCharacters <= MAX_HOOK_CHARACTERS),
      ],
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
        verdict(
          warm?.tokenDuring === 0 &&
            warm.dataverse === warm.registrations &&
            t.localServer.tokenRequests === 0 &&
            t.localServer.dataverseRequests === t.localServer.registrations,
        ),
      ],
      [
        'cold after pre-fetch: 1 request',
        `${coldSettled?.tokenDuring ?? '?'} token + ${coldSettled?.dataverse ?? '?'} Dataverse`,
        verdict(coldSettled?.tokenDuring === 0 && coldSettled.dataverse === 1),
      ],
      ['50 concurrent cold: 1 token request in total', `${concurrent?.tokenTotal ?? '?'} token request(s)`, verdict(concurrent?.tokenTotal === 1)],
      ['overhead ratio <= 1.2 (median, p99)', `${ratioMedian.toFixed(2)}, ${ratioP99.toFixed(2)}`, verdict(ratioMedian <= 1.2 && ratioP99 <= 1.2)],
      ['heap growth within 5 MB', `${growthMb.toFixed(2)} MB`, verdict(Math.abs(growthMb) <= 5)],
      ['size <= 256,000 characters', sizeCharacters.toLocaleString('en'), verdict(sizeCharacters <= MAX_HOOK_CHARACTERS)],
    ]),
  );
  console.log(
    `\nBursts: registrations all at once, each in a fresh child process (burst.ts), cap policy.maxConcurrentRequests = 10; connections counted by the local stand-in\n`,
  );
  console.log(bursts);
  console.log('\nLogin storm: the built post-identification hook against a stand-in enforcing a scaled service-protection window (storm.ts)\n');
  console.log(storm);
  console.log(`\nBenchmark took ${elapsedS.toFixed(1)} s.`);
}

async function main(): Promise<void> {
  // Flags are the storm's; checked before anything runs.
  const stormOptions = parseStormArgs(process.argv.slice(2));
  const started = performance.now();
  console.log('Benchmarking the built pre-registration hook (offline)...\n');
  const timings = await runTimingChild();
  const { rows, sizeCharacters } = await countRequests();
  const bursts = await benchBursts();
  const storm = formatStorm(await runStorm(stormOptions));
  report(rows, sizeCharacters, timings, bursts, storm, (performance.now() - started) / 1000);
}

await main();
