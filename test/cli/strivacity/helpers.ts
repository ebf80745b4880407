/**
 * Shared set-up of the Strivacity command tests: one Admin API stand-in per test file (its start
 * compiles the operations document), reset before each test; the Admin API client's credentials in
 * the environment; the commands run through `runCli` with their output captured and scanned for
 * anything secret.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, vi } from 'vitest';
import { runCli } from '../../../src/cli/main.js';
import { parseResolvedConfig, type ConfigInput } from '../../../src/hook/config.js';
import { type AdminStandIn, type AdminStandInOptions, startAdminStandIn } from '../../../src/harness/strivacity/admin-stand-in.js';
import { allowLoopback } from '../../../src/harness/strivacity/stand-in-world.js';
import { NODE_20_RUNTIME } from '../../../src/harness/strivacity/tryout-runtime.js';
import { BASE_CONFIG, SECRET } from '../../support/helpers.js';

export const ADMIN_CLIENT_ID = 'dynamics-hook-ci';
/** Easy to spot: no output may contain it. */
export const ADMIN_SECRET = 'Adm1n~client~SECRET~never-print';

export const CONFIG = { ...BASE_CONFIG, sync: { createIfMissing: true } } satisfies ConfigInput;

export interface Harness {
  readonly standIn: AdminStandIn;
  readonly dir: string;
  readonly configFile: string;
  /** Runs one command; returns its exit code and everything it printed (checked for secrets). */
  run(...argv: string[]): Promise<{ code: number; out: string }>;
}

/** What no command output may hold: the Admin API client secret, the Dynamics secret, a bearer token. */
export function expectNothingSecret(out: string): void {
  expect(out).not.toContain(ADMIN_SECRET);
  expect(out).not.toContain(SECRET);
  expect(out).not.toMatch(/Bearer [\w-]{10,}/);
}

/** Installs the hooks of a test file and returns its harness (valid inside tests). */
export function useAdminHarness(options: Partial<AdminStandInOptions> = {}): Harness {
  const harness = { dir: '', configFile: '' } as { standIn: AdminStandIn; dir: string; configFile: string };
  let output: string[] = [];
  beforeAll(async () => {
    allowLoopback();
    harness.standIn = await startAdminStandIn({ clientId: ADMIN_CLIENT_ID, clientSecret: ADMIN_SECRET, ...options });
  });
  afterAll(() => harness.standIn.close());
  beforeEach(() => {
    allowLoopback();
    const { state, faults, settings } = harness.standIn;
    state.hooks.clear();
    state.tryouts.clear();
    state.logs.splice(0);
    state.options = { runtime: NODE_20_RUNTIME, world: parseResolvedConfig(CONFIG), upgradingPolls: 1, ...options };
    faults.splice(0);
    delete settings.grantedScopes;
    delete settings.ungrantedScope;
    delete settings.retiredLogs;
    delete settings.onOperation;
    harness.standIn.requests.splice(0);
    harness.standIn.rejected.splice(0);
    harness.dir = mkdtempSync(join(tmpdir(), 'strivacity-'));
    harness.configFile = join(harness.dir, 'config.json');
    writeFileSync(harness.configFile, JSON.stringify(CONFIG));
    vi.stubEnv('STRIVACITY_CLIENT_ID', ADMIN_CLIENT_ID);
    vi.stubEnv('STRIVACITY_CLIENT_SECRET', ADMIN_SECRET);
    vi.stubEnv('DYNAMICS_HOOK_RETRY_DELAYS_MS', '0,0');
    output = [];
    const capture = (...parts: unknown[]) => output.push(parts.map(String).join(' '));
    vi.spyOn(console, 'log').mockImplementation(capture);
    vi.spyOn(console, 'error').mockImplementation(capture);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    // Every request the client sent validated against the documented operations.
    expect(harness.standIn.rejected).toEqual([]);
  });
  return Object.assign(harness, {
    async run(...argv: string[]) {
      output = [];
      const code = await runCli(argv);
      allowLoopback();
      const out = output.join('\n');
      expectNothingSecret(out);
      return { code, out };
    },
  }) as Harness;
}
