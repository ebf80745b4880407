/**
 * `npx tsx src/demo/contract-demo.ts [--all | TYPE ...]`: the `contract` engine against the Admin
 * API stand-in, until the command line wires `dynamics-hook contract` (docs/contract.md's
 * transcript comes from here). The credentials are throwaway values of this process; the files go
 * to a temporary folder that is removed when it ends. Ctrl-C interrupts the run as it would the
 * command: the temporary hook is deleted first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runContract } from '../cli/strivacity/contract/run-contract.js';
import { startAdminStandIn } from '../harness/strivacity/admin-stand-in.js';

const args = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), 'contract-demo-'));
process.env['STRIVACITY_CLIENT_ID'] = 'demo-admin-client';
process.env['STRIVACITY_CLIENT_SECRET'] = 'demo-admin-secret-never-printed';
const standIn = await startAdminStandIn({ clientId: 'demo-admin-client', clientSecret: 'demo-admin-secret-never-printed' });
const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
try {
  const { exitCode } = await runContract(
    {
      strivacity: standIn.url,
      types: args.includes('--all') ? 'all' : args.length > 0 ? args : ['PRE_REGISTRATION'],
      outDir: join(dir, 'contract'),
      json: false,
    },
    { stdout: (text) => console.log(text), stderr: (text) => console.error(text), signal: controller.signal },
  );
  console.log(`exit code ${exitCode}; hooks left in the stand-in: ${standIn.state.hooks.size}; requests it refused: ${standIn.rejected.length}`);
  process.exitCode = exitCode;
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
} finally {
  await standIn.close();
  rmSync(dir, { recursive: true, force: true });
}
