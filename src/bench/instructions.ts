/**
 * `npm run bench:instructions`: instructions executed per warm registration of the built hook and
 * per bare `retrieveMultiple`, counted by valgrind's callgrind. Wall and CPU time on this machine
 * move with load and with how the VM charges for work between round trips (docs/performance.md);
 * an instruction count does neither. It is not exact either: the JIT and the GC never run quite the
 * same way twice, so between runs with different call counts the counts per call moved by up to a
 * quarter for the network sides and by nearly half for the short in-memory one, the ratio of hook
 * to bare by less than a tenth. It counts user-space instructions of the client process (every thread: the JIT's compiler
 * and the GC's helpers included), not the kernel's, not the stand-in's (a process of its own, run
 * natively).
 *
 * Each side (bare, hook, hook answered in memory) runs in its own child under valgrind, twice: the
 * same warm-up of every side, then N1 or N2 calls of that side only. Per call = (I(N2) - I(N1)) /
 * (N2 - N1), which cancels start-up, warm-up and the stand-ins. The children run two at a time.
 *
 * Usage: `npm run bench:instructions -- [--hook <built.js>] [--calls 500,3000] [--in-memory]
 * [--only-in-memory]`. Without `--hook` it builds the pre-registration hook from the bench config.
 * `--in-memory` also counts the hook with its Dataverse call answered in memory (its own work: two
 * more processes); `--only-in-memory` counts only that (to compare variants of a built file).
 * Minutes per run; not a test.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { silenceConsole, startTimingStandIns } from './timing-stand-ins.js';
import { PROJECT_ROOT, benchConfig } from './support.js';
import { loadAnsweredInMemory, newSeries, timeRegistrations } from './timings.js';
import { buildHook } from '../build/build-hook.js';
import { loadBuiltHook } from '../harness/load-hook.js';
import { createSelfSignedCertificate } from '../harness/self-signed.js';
import { formatTable } from '../harness/table.js';

/** Where the built file points Dataverse; each child swaps in its stand-in's URL. */
const PLACEHOLDER_URL = 'https://127.0.0.1:1';
const WARM_UP_CALLS = 1000;
type Side = 'bare' | 'hook' | 'in memory';

interface ChildRequest {
  readonly side: Side;
  readonly calls: number;
  readonly hookFile: string;
}

async function child(request: ChildRequest): Promise<void> {
  const standIns = await startTimingStandIns();
  const code = readFileSync(request.hookFile, 'utf8').replaceAll(PLACEHOLDER_URL, standIns.server.url);
  const { hook } = loadBuiltHook(code);
  const inMemory = loadAnsweredInMemory(code)?.hook;
  if (inMemory === undefined) throw new Error('The built file has no Dataverse lookup to answer in memory.');
  const bare = async (count: number) => {
    for (let i = 0; i < count; i += 1) await standIns.bareLookup();
  };
  const registrations = (count: number, of = hook) => timeRegistrations(of, newSeries(), count, 'The hook did not allow the known customer.');
  const restoreConsole = silenceConsole();
  try {
    await bare(WARM_UP_CALLS);
    await registrations(WARM_UP_CALLS);
    await registrations(WARM_UP_CALLS, inMemory);
    if (request.side === 'bare') await bare(request.calls);
    else await registrations(request.calls, request.side === 'hook' ? hook : inMemory);
  } finally {
    restoreConsole();
    standIns.close();
  }
}

/** Runs one child under callgrind; resolves with the instructions it executed. */
function countInstructions(request: ChildRequest, tls: { keyPem: string; certPem: string; certFile: string }): Promise<number> {
  const valgrind = spawn(
    'valgrind',
    ['--tool=callgrind', '--callgrind-out-file=/dev/null', '--trace-children=no', process.execPath, '--import', 'tsx', fileURLToPath(import.meta.url)],
    {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        HOOK_INSTRUCTIONS_CHILD: JSON.stringify(request),
        HOOK_BENCH_TLS_KEY: tls.keyPem,
        HOOK_BENCH_TLS_CERT: tls.certPem,
        NODE_EXTRA_CA_CERTS: tls.certFile,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  valgrind.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise<number>((resolvePromise, reject) => {
    valgrind.on('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new Error('valgrind is not installed (Debian: apt-get install valgrind).') : error),
    );
    valgrind.on('exit', (code) => {
      const refs = /I\s+refs:\s+([\d,]+)/.exec(stderr)?.[1];
      if (code !== 0 || refs === undefined) reject(new Error(`The counted process failed (exit ${String(code)}):\n${stderr.slice(-2000)}`));
      else resolvePromise(Number(refs.replaceAll(',', '')));
    });
  });
}

async function parent(): Promise<void> {
  const { values } = parseArgs({
    options: {
      hook: { type: 'string' },
      calls: { type: 'string', default: '500,3000' },
      'in-memory': { type: 'boolean', default: false },
      'only-in-memory': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const [fewer, more] = values.calls.split(',').map(Number);
  if (fewer === undefined || more === undefined || !Number.isInteger(fewer) || !Number.isInteger(more) || fewer < 1 || more <= fewer)
    throw new Error('--calls takes two whole numbers, the second larger: --calls 500,3000.');
  const dir = mkdtempSync(join(tmpdir(), 'hook-instructions-'));
  try {
    let hookFile = values.hook === undefined ? undefined : resolve(values.hook);
    if (hookFile === undefined) {
      hookFile = join(dir, 'pre-registration.hook.js');
      writeFileSync(hookFile, (await buildHook('pre-registration', benchConfig(PLACEHOLDER_URL))).code);
    }
    const { certPem, keyPem } = createSelfSignedCertificate('127.0.0.1');
    const tls = { keyPem, certPem, certFile: join(dir, 'stand-in-cert.pem') };
    writeFileSync(tls.certFile, certPem);
    const count = (side: Side, calls: number) => countInstructions({ side, calls, hookFile }, tls);
    const sides: Side[] = values['only-in-memory'] ? ['in memory'] : values['in-memory'] ? ['bare', 'hook', 'in memory'] : ['bare', 'hook'];
    console.log(`Counting instructions with callgrind: ${String(sides.length * 2)} processes, two at a time (minutes) - ${hookFile}`);
    const perCall = new Map<Side, number>();
    for (const side of sides) {
      const [atFewer, atMore] = await Promise.all([count(side, fewer), count(side, more)]);
      perCall.set(side, ((atMore ?? 0) - (atFewer ?? 0)) / (more - fewer));
    }
    const bare = perCall.get('bare');
    const hook = perCall.get('hook');
    const memory = perCall.get('in memory');
    const thousands = (n: number) => `${Math.round(n / 1000).toLocaleString('en-US')}k`;
    if (bare === undefined || hook === undefined) {
      console.log(`built hook, Dataverse answered in memory: ${thousands(memory ?? Number.NaN)} instructions per registration`);
      return;
    }
    console.log(
      formatTable(
        [
          ['side', 'instructions per call', 'ratio to bare'],
          ['bare retrieveMultiple', thousands(bare), '1.00'],
          ['built hook: one registration', thousands(hook), (hook / bare).toFixed(2)],
          ['hook - bare', thousands(hook - bare), ''],
          ...(memory === undefined ? [] : [['built hook, Dataverse answered in memory', thousands(memory), (memory / bare).toFixed(2)]]),
        ],
        'markdown',
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const childRequest = process.env['HOOK_INSTRUCTIONS_CHILD'];
if (childRequest === undefined) await parent();
else {
  await child(JSON.parse(childRequest) as ChildRequest);
  // dynamics-web-api's keep-alive sockets are done with; no need to wait for them to time out.
  process.exit(0);
}
