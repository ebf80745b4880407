/**
 * Bursts of concurrent registrations through the BUILT hook, on real sockets, for the fault matrix
 * (`test/faults.test.ts`) and `npm run bench`.
 *
 * Two processes, so that neither side's work is counted in the other's figures:
 * - the caller hosts the Dataverse stand-in (`burst-stand-ins.ts`), which counts the TCP
 *   connections it accepts: one that never answers (not even the TLS handshake), or an HTTPS one
 *   that throttles every request (429, `Retry-After: 0`);
 * - a child (`node --import tsx`, no nock loaded) loads the built file, fires every registration
 *   in the same tick and reports each one's answer time, the hook's own `latencyMs` and how often
 *   `https.request()` was called. Entra is a stub `fetch` (the token is fetched at load, before the
 *   burst), so the figures are the Dataverse side's alone.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHangingServer, startThrottlingServer } from './burst-stand-ins.js';
import { EMAIL, PROJECT_ROOT, benchConfig, percentile } from './support.js';
import { buildHook } from '../build/build-hook.js';
import { registrationPayload } from '../harness/run-hook.js';
import { DEFAULT_RETRY_POLICY } from '../hook/resilience/retry.js';
import { loadBuiltHook, strivacityGlobals } from '../harness/load-hook.js';
import { createSelfSignedCertificate } from '../harness/self-signed.js';
import { formatTable } from '../harness/table.js';

/** What the child saw. Times in ms; each list is sorted ascending. */
export interface BurstFigures {
  readonly concurrency: number;
  /** The hook's own measure of each registration (`latencyMs` in its log line). */
  readonly latencyMs: number[];
  /** From each call to its answer, as the caller saw it. */
  readonly answeredMs: number[];
  /** Registrations answered exactly once. */
  readonly answeredOnce: number;
  /** Calls to `https.request()` during the burst (each one a connection to open, or a reused one). */
  readonly httpsRequests: number;
  /** Registrations per logged failure class (`timeout`, `throttled`, ...). */
  readonly failures: Record<string, number>;
  /** CPU time the child used from the first call to the last answer (user + system). */
  readonly cpuMs: number;
  /**
   * Time the child's main thread was ready to run but waited for a CPU taken by other processes
   * (Linux `schedstat`; 0 where unavailable), from 150 ms before the deadline to the last answer:
   * when every answer is due. On a shared machine, time no code of ours could use.
   */
  readonly waitedForCpuMs: number;
  /**
   * Registrations that started `minAttemptMs` or more after the first (the calls are made in one
   * synchronous loop, but the OS can pause it): these may rightly get a slot when the first ones'
   * deadlines free theirs, so they are not part of the burst "at once". Normally 0.
   */
  readonly lateStarts: number;
}

/** A burst to run: how many registrations, the built hook's `policy.timeoutMs`, and the stand-in's certificate when it speaks TLS. */
export interface BurstOptions {
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly caCertPem?: string | undefined;
}

interface BurstJob extends BurstOptions {
  readonly codeFile: string;
  readonly resultFile: string;
}

/** Runs `concurrency` registrations at once through the built hook `code` in a child process. */
export async function runBurst(code: string, { concurrency, timeoutMs, caCertPem }: BurstOptions): Promise<BurstFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'hook-burst-'));
  try {
    const codeFile = join(dir, 'hook.js');
    const resultFile = join(dir, 'result.json');
    writeFileSync(codeFile, code);
    const env: NodeJS.ProcessEnv = { ...process.env, HOOK_BURST: JSON.stringify({ codeFile, resultFile, concurrency, timeoutMs } satisfies BurstJob) };
    if (caCertPem !== undefined) {
      writeFileSync(join(dir, 'ca.pem'), caCertPem);
      env['NODE_EXTRA_CA_CERTS'] = join(dir, 'ca.pem');
    }
    // HOOK_BURST_PROFILE_DIR=<dir>: a CPU profile of each burst (open it in Chrome DevTools).
    const profileDir = process.env['HOOK_BURST_PROFILE_DIR'];
    const profile = profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir];
    const child = spawn(process.execPath, [...profile, '--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url)], {
      cwd: PROJECT_ROOT,
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', resolve);
    });
    if (exitCode !== 0) throw new Error(`The burst process exited with code ${String(exitCode)}.`);
    return JSON.parse(readFileSync(resultFile, 'utf8')) as BurstFigures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// `npm run bench`

const MAX_CONCURRENT = 10;

/** Bursts of 50, 200 and 400 on a hanging Dataverse (deadline 500 ms), and 400 on a throttling one. */
export async function benchBursts(): Promise<string> {
  const tls = createSelfSignedCertificate('127.0.0.1');
  const rows: string[][] = [];
  const scenarios = [
    ...[50, 200, 400].map((registrations) => ({ label: 'never answers', registrations, timeoutMs: 500, start: startHangingServer, ca: undefined })),
    { label: '429, Retry-After: 0', registrations: 400, timeoutMs: 1500, start: () => startThrottlingServer(tls), ca: tls.certPem },
  ];
  for (const { label, registrations, timeoutMs, start, ca } of scenarios) {
    const server = await start();
    try {
      const config = { ...benchConfig(server.url), policy: { onError: 'deny' as const, timeoutMs, maxConcurrentRequests: MAX_CONCURRENT } };
      const f = await runBurst((await buildHook('pre-registration', config)).code, { concurrency: registrations, timeoutMs, caCertPem: ca });
      const ms = (sorted: number[]) => [50, 90, 99].map((p) => percentile(sorted, p).toFixed(0)).join(' / ') + ` / ${(sorted.at(-1) ?? NaN).toFixed(0)}`;
      const met = f.answeredOnce === registrations && (f.latencyMs.at(-1) ?? Infinity) <= timeoutMs + 100;
      rows.push([
        `${label}, deadline ${timeoutMs} ms`,
        String(registrations),
        ms(f.latencyMs),
        ms(f.answeredMs),
        `${server.connections.opened} (${f.httpsRequests})`,
        `${f.cpuMs.toFixed(0)} ms`,
        `${f.waitedForCpuMs.toFixed(0)} ms`,
        Object.entries(f.failures)
          .map(([failure, count]) => `${failure} ${count}`)
          .join(', '),
        met ? 'met' : 'NOT met',
      ]);
    } finally {
      await server.close();
    }
  }
  return formatTable(
    [
      [
        'Dataverse',
        'registrations at once',
        'hook latencyMs p50 / p90 / p99 / max',
        'answered after, ms (caller) p50 / p90 / p99 / max',
        'connections opened (https.request calls)',
        'client CPU',
        'waited for a CPU (from deadline - 150 ms)',
        'failures',
        'every answer by deadline + 100 ms',
      ],
      ...rows,
    ],
    'markdown',
  );
}

// ---------------------------------------------------------------------------------------------
// Child

async function burstInThisProcess({ codeFile, concurrency, timeoutMs }: BurstJob): Promise<Omit<BurstFigures, 'concurrency'>> {
  process.env['DYNAMICS_CLIENT_SECRET'] = 'burst-secret-not-a-real-value';
  const token = readFileSync(join(PROJECT_ROOT, 'src/harness/recorded/token.json'), 'utf8');
  let tokenRequests = 0;
  globalThis.fetch = (async () => {
    tokenRequests += 1;
    return new Response(token, { status: 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  // dynamics-web-api reaches `https.request` through a getter on the module object, so it sees this.
  const https = createRequire(import.meta.url)('node:https') as { request: (...args: unknown[]) => unknown };
  const request = https.request;
  let httpsRequests = 0;
  https.request = (...args: unknown[]) => {
    httpsRequests += 1;
    return request(...args);
  };
  const lines: string[] = [];
  const keep = (text: unknown) => void lines.push(String(text));
  Object.assign(console, { log: keep, info: keep, warn: keep, error: keep });

  const { hook } = loadBuiltHook(readFileSync(codeFile, 'utf8'), strivacityGlobals('ErrorDenyRequest'));
  // The pre-fetched token must be cached before the burst starts; the stub answers at once.
  while (tokenRequests === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  await new Promise((resolve) => setTimeout(resolve, 100));
  httpsRequests = 0;

  // Start from a collected heap, so that a full GC does not fall into the burst by chance.
  (globalThis as { gc?: () => void }).gc?.();
  const answers = new Array<number>(concurrency).fill(0);
  const startedAt = new Array<number>(concurrency).fill(0);
  const answeredMs = new Array<number>(concurrency).fill(NaN);
  const payloads = Array.from({ length: concurrency }, () => registrationPayload(EMAIL));
  const cpu0 = process.cpuUsage();
  let waited0 = runQueueWaitMs();
  setTimeout(() => (waited0 = runQueueWaitMs()), timeoutMs - 150).unref();
  await Promise.all(
    payloads.map((payload, index) => {
      const started = performance.now();
      startedAt[index] = started;
      const answer = () => {
        answers[index] = (answers[index] ?? 0) + 1;
        answeredMs[index] = performance.now() - started;
      };
      return hook(payload, answer, answer);
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  const waitedForCpuMs = runQueueWaitMs() - waited0;
  const firstStart = startedAt[0] ?? 0;
  const decided = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['event'] === 'registration.decided');
  const failures: Record<string, number> = {};
  for (const line of decided) failures[String(line['failure'] ?? 'none')] = (failures[String(line['failure'] ?? 'none')] ?? 0) + 1;
  return {
    latencyMs: decided.map((line) => Number(line['latencyMs'])).sort((a, b) => a - b),
    answeredMs: answeredMs.sort((a, b) => a - b),
    answeredOnce: answers.filter((count) => count === 1).length,
    httpsRequests,
    failures,
    cpuMs: (cpu.user + cpu.system) / 1000,
    waitedForCpuMs,
    lateStarts: startedAt.filter((at) => at - firstStart >= DEFAULT_RETRY_POLICY.minAttemptMs).length,
  };
}

/** Run-queue wait of this process's main thread so far (second field of its `schedstat`, in ns). */
function runQueueWaitMs(): number {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ');
    return Number(fields[1]) / 1e6 || 0;
  } catch {
    return 0;
  }
}

const job = process.env['HOOK_BURST'];
if (job !== undefined) {
  const burst = JSON.parse(job) as BurstJob;
  const figures = await burstInThisProcess(burst);
  writeFileSync(burst.resultFile, JSON.stringify({ concurrency: burst.concurrency, ...figures } satisfies BurstFigures));
  // The aborted sockets and the hook's timers are done with; nothing to wait for.
  process.exit(0);
}
