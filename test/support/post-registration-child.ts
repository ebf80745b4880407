/**
 * Runs registrations through a BUILT post-registration hook in a process of its own (no nock
 * loaded), so its Dataverse requests go out on real sockets to a stand-in in the test's process.
 * Entra is a stub `fetch` answering the recorded token. `runInChild` spawns it; the child part
 * runs when HOOK_SYNC_JOB is set. The stand-in's certificate is trusted with NODE_EXTRA_CA_CERTS,
 * which Node reads only when a process starts: the reason for a child.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBuiltHook, strivacityGlobals } from '../../src/harness/load-hook.js';

/** One registration: when it starts (ms after the first) and what the person typed. */
export interface ChildRegistration {
  readonly atMs: number;
  readonly email: string;
  readonly givenName: string;
  readonly familyName: string;
}

interface Job {
  readonly codeFile: string;
  readonly resultFile: string;
  readonly registrations: readonly ChildRegistration[];
}

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The `registration.synced` lines the hook wrote, in the order it wrote them (one per registration). */
export async function runInChild(code: string, caCertPem: string, registrations: readonly ChildRegistration[]): Promise<Array<Record<string, unknown>>> {
  const dir = mkdtempSync(join(tmpdir(), 'hook-sync-'));
  try {
    const job: Job = { codeFile: join(dir, 'hook.js'), resultFile: join(dir, 'result.json'), registrations };
    writeFileSync(job.codeFile, code);
    writeFileSync(join(dir, 'ca.pem'), caCertPem);
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, HOOK_SYNC_JOB: JSON.stringify(job), NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'), DYNAMICS_CLIENT_SECRET: 'child-secret-not-real' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', resolve);
    });
    if (exitCode !== 0) throw new Error(`The post-registration child exited with code ${String(exitCode)}.`);
    return JSON.parse(readFileSync(job.resultFile, 'utf8')) as Array<Record<string, unknown>>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runJob(job: Job): Promise<Array<Record<string, unknown>>> {
  const token = readFileSync(join(PROJECT_ROOT, 'src/harness/recorded/token.json'), 'utf8');
  let tokenRequests = 0;
  globalThis.fetch = (async () => {
    tokenRequests += 1;
    return new Response(token, { status: 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  const lines: Array<Record<string, unknown>> = [];
  const keep = (text: unknown) => void lines.push(JSON.parse(String(text)) as Record<string, unknown>);
  Object.assign(console, { log: keep, info: keep, warn: keep, error: keep });
  const { hook } = loadBuiltHook(readFileSync(job.codeFile, 'utf8'), strivacityGlobals());
  while (tokenRequests === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  await new Promise((resolve) => setTimeout(resolve, 100));

  const started = performance.now();
  const runs = job.registrations.map(async (registration) => {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, registration.atMs - (performance.now() - started))));
    const payload = {
      application: { name: 'Brand Web', client_id: 'brand-web' },
      oidc_context: { acr_values: [], ui_locales: ['en'] },
      customer: {
        attributes: { emails: { primaryEmail: registration.email }, name: { givenName: registration.givenName, familyName: registration.familyName } },
        identifiers: {},
        consents: [],
      },
      session: {},
    };
    await hook(
      payload,
      () => undefined,
      () => undefined,
    );
  });
  await Promise.all(runs);
  return lines.filter((line) => line['event'] === 'registration.synced');
}

const raw = process.env['HOOK_SYNC_JOB'];
if (raw !== undefined) {
  const job = JSON.parse(raw) as Job;
  writeFileSync(job.resultFile, JSON.stringify(await runJob(job)));
  // The hook's timers (token renewal, the crash guard's grace) are unref'ed or done with.
  process.exit(0);
}
