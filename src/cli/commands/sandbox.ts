/**
 * `dynamics-hook sandbox [--port <n>] [--config <file>]`: a Strivacity to rehearse on. Serves the
 * bundled Admin API stand-in (`src/harness/strivacity/`) on a loopback port until Ctrl-C, with a
 * client id and secret made up for this run, so that `probe`, `deploy`, `tryout` and `logs` can be
 * run against it with the operator's own config. Its try-out runtime runs the submitted code
 * against the recorded Entra and Dataverse responses: no request leaves the machine.
 *
 * It keeps everything in memory and writes no file, so nothing outlives it; it stops on SIGINT
 * and SIGTERM, closes its port and exits 130 (the documented "interrupted, after cleaning up").
 */
import { randomBytes } from 'node:crypto';
import { readConfigBlock } from '../../build/read-config-block.js';
import { parseResolvedConfig, type ResolvedConfig } from '../../hook/config.js';
import { type ArgsDef, defineCommand, type ParsedArgs } from '../args.js';
import { SHARED_ARGS } from '../shared-args.js';
import { CliError, EXIT_CODES, UsageError } from '../errors.js';
import { invocation } from '../invocation.js';
import { readJsonFile } from '../files.js';

const ARGS = {
  port: { type: 'string', valueHint: '<n>', default: '0', description: 'the loopback port (0: a free one)' },
  config: { ...SHARED_ARGS.config, description: 'the config whose recorded Entra and Dataverse the probe hook reaches' },
} as const satisfies ArgsDef;

function parsePort(value: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(port >= 0 && port <= 65_535)) throw new UsageError('--port must be a port number (0 to 65535; 0 picks a free one).');
  return port;
}

/**
 * The recorded world for one submitted code: the config in its config block (what `deploy` and
 * `tryout` built from the operator's file), else `--config`'s (the probe hook carries none).
 * Code that is neither reaches nothing, as a hook without a network would.
 */
function worldFor(fallback: ResolvedConfig | undefined): (code: string) => ResolvedConfig | undefined {
  return (code) => {
    const block = readConfigBlock(code);
    if (block === undefined) return fallback;
    try {
      return parseResolvedConfig(block);
    } catch {
      return fallback;
    }
  };
}

/** Resolves with the signal's name on the first SIGINT or SIGTERM. */
function untilStopped(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export const SANDBOX_COMMAND = defineCommand({
  name: 'sandbox',
  summary: 'a local Strivacity Admin API to rehearse probe, deploy, tryout and logs on',
  description: `Serves a local stand-in of the Strivacity Admin API on 127.0.0.1 until Ctrl-C (exit code 130), and
prints the --strivacity URL and the STRIVACITY_CLIENT_ID / STRIVACITY_CLIENT_SECRET to export (made
up for this run). probe, deploy, tryout and logs work against it; its try-out runtime runs the
code against recorded Entra and Dataverse responses (the config in the code, else --config's).
It writes no file.`,
  args: ARGS,
  run: serve,
});

async function serve(values: ParsedArgs<typeof ARGS>): Promise<{ exitCode: number }> {
  const port = parsePort(values.port);
  const fallback = values.config === undefined ? undefined : parseResolvedConfig(readJsonFile(values.config));
  // Loaded here, not at the top: the stand-in compiles the operations document (ajv), which no
  // other command needs.
  const [{ startAdminStandIn }, { allowLoopback }, { NODE_20_RUNTIME }] = await Promise.all([
    import('../../harness/strivacity/admin-stand-in.js'),
    import('../../harness/strivacity/stand-in-world.js'),
    import('../../harness/strivacity/tryout-runtime.js'),
  ]);
  // Made up for this run and valid only against this process: printed so that they can be exported.
  const clientId = `sandbox-${randomBytes(4).toString('hex')}`;
  const clientSecret = randomBytes(18).toString('base64url');
  allowLoopback();
  const standIn = await startAdminStandIn({ clientId, clientSecret, runtime: NODE_20_RUNTIME, world: worldFor(fallback), port }).catch((error: unknown) => {
    const code = (error as { code?: unknown }).code;
    throw new CliError(
      'input',
      `Cannot listen on 127.0.0.1:${port}${code === 'EADDRINUSE' ? ': the port is in use' : ''}. Choose another --port, or leave it out.`,
      {
        cause: error,
      },
    );
  });
  const stopped = untilStopped();
  const run = invocation();
  const config = values.config ?? '<config>';
  console.log(
    [
      `Sandbox: a local Strivacity Admin API on ${standIn.url} (Ctrl-C stops it; it keeps nothing).`,
      'Hooks tried out here run against recorded Entra and Dataverse responses; nothing leaves this machine.',
      '',
      'In another terminal:',
      `  export STRIVACITY_CLIENT_ID=${clientId}`,
      `  export STRIVACITY_CLIENT_SECRET=${clientSecret}`,
      `  ${run} deploy --strivacity ${standIn.url} --config ${config}`,
      `  ${run} tryout --strivacity ${standIn.url} --config ${config}`,
      `  ${run} probe  --strivacity ${standIn.url} --config ${config}`,
      `  ${run} logs   --strivacity ${standIn.url} --since 1h`,
      ...(values.config === undefined ? ['', 'Start it with --config <file> for probe to reach the recorded Entra and Dataverse of that config.'] : []),
    ].join('\n'),
  );
  const signal = await stopped;
  await standIn.close();
  console.log(`Sandbox stopped (${signal}).`);
  return { exitCode: EXIT_CODES.interrupted };
}
