/**
 * `npx tsx src/demo/flow.ts [pre-registration|post-registration]`: the
 * Strivacity commands end to end against the Admin API stand-in, printed as a terminal session
 * (probe before the hook exists, deploy --dry-run, deploy --secret-from-env, probe, tryout, logs).
 * The README's transcript comes from here. Credentials are throwaway values of this process; its
 * temporary folder (config, backups) is removed when it ends, also on Ctrl-C.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli/main.js';
import { parseResolvedConfig } from '../hook/config.js';
import { DEMO_CONFIG } from '../harness/demo-config.js';
import { startAdminStandIn } from '../harness/strivacity/admin-stand-in.js';
import { allowLoopback } from '../harness/strivacity/stand-in-world.js';
import { NODE_20_RUNTIME } from '../harness/strivacity/tryout-runtime.js';

const kind = process.argv[2] === 'post-registration' ? 'post-registration' : 'pre-registration';
const dir = mkdtempSync(join(tmpdir(), 'demo-flow-'));
const removeDir = () => rmSync(dir, { recursive: true, force: true });
// Ctrl-C skips the `finally` below: the folder goes anyway, and the exit code says interrupted.
process.once('SIGINT', () => {
  removeDir();
  process.exit(130);
});
const configFile = join(dir, 'config.json');
writeFileSync(configFile, JSON.stringify({ ...DEMO_CONFIG, sync: { createIfMissing: true } }));
process.env['STRIVACITY_CLIENT_ID'] = 'demo-admin-client';
process.env['STRIVACITY_CLIENT_SECRET'] = 'demo-admin-secret-never-printed';

allowLoopback();
const standIn = await startAdminStandIn({
  clientId: 'demo-admin-client',
  clientSecret: 'demo-admin-secret-never-printed',
  runtime: NODE_20_RUNTIME,
  world: parseResolvedConfig(DEMO_CONFIG),
  upgradingPolls: 2,
});
const url = standIn.url;
const target = ['--strivacity', url, '--config', 'config.json', '--hook', kind];

async function run(argv: string[], env: Record<string, string> = {}): Promise<void> {
  const shown = argv.map((arg) => (arg === configFile ? 'config.json' : arg)).join(' ');
  console.log(
    `\n$ ${Object.entries(env)
      .map(([name]) => `${name}=*** `)
      .join('')}dynamics-hook ${shown}`,
  );
  Object.assign(process.env, env);
  const code = await runCli(argv.map((arg) => (arg === 'config.json' ? configFile : arg)));
  for (const name of Object.keys(env)) delete process.env[name];
  allowLoopback();
  console.log(`(exit code ${code})`);
}

try {
  await run(['probe', ...target]);
  await run(['deploy', ...target, '--dry-run']);
  await run(['deploy', ...target, '--secret-from-env', '--poll-ms', '200', '--backup-dir', join(dir, 'backups')], {
    DYNAMICS_CLIENT_SECRET: 'demo-dynamics-secret',
  });
  await run(['probe', ...target]);
  await run(['tryout', ...target]);
  await run(['logs', '--strivacity', url, '--hook', kind, '--since', '1h']);
  // A config change: the plan shows the config block's diff; the deploy keeps the old code.
  writeFileSync(configFile, JSON.stringify({ ...DEMO_CONFIG, policy: { ...DEMO_CONFIG.policy, notFound: 'allow' }, sync: { createIfMissing: true } }));
  await run(['deploy', ...target, '--dry-run']);
  await run(['deploy', ...target, '--poll-ms', '200', '--backup-dir', join(dir, 'backups')]);
  console.log(`\nRequests refused by the stand-in as not matching the documented operations: ${standIn.rejected.length}`);
} finally {
  await standIn.close();
  removeDir();
}
