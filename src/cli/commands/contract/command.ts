/**
 * `dynamics-hook contract --strivacity <url> [--type <TYPE>]... [--all] [--out <dir>] [--json]`:
 * reads what the tenant knows about each hook type's contract (docs/contract.md). The work is
 * `runContract`; this file declares the options and turns Ctrl-C into the engine's abort signal,
 * so that the temporary hook is deleted before the command exits 130.
 */
import { type ArgsDef, defineCommand, type ParsedArgs } from '../../args.js';
import { UsageError } from '../../errors.js';
import { required, SHARED_ARGS } from '../../shared-args.js';
import { ADMIN_API_NOTE } from '../../strivacity/admin-api-note.js';
import { runContract } from './run-contract.js';

const ARGS = {
  strivacity: required(SHARED_ARGS.strivacity),
  type: { type: 'string', valueHint: '<TYPE>', multiple: true, description: 'a hook type to read, such as POST_ACCOUNT_UPDATE' },
  all: { type: 'boolean', default: false, description: 'read every type of the descriptor' },
  out: { type: 'string', valueHint: '<dir>', description: 'write <TYPE>.default.js, <TYPE>.request.json and the templates here' },
  json: SHARED_ARGS.json,
} as const satisfies ArgsDef;

export const CONTRACT_COMMAND = defineCommand({
  name: 'contract',
  summary: "Strivacity: read each hook type's contract from the tenant (deploys nothing)",
  description: `Prints the event hook descriptor (blocking, target, count per type) and the Dynamics 365
integration's templates; for each --type (or --all) creates a temporary hook without code, reads
the code and sample body Strivacity generates for it, and deletes it, also on Ctrl-C. Prints the
argument paths, result classes and callback parameters (never a sample value). Needs
read:, write: and delete:config_event_hook for a type; the descriptor alone needs read.${ADMIN_API_NOTE}`,
  args: ARGS,
  run: contract,
});

async function contract(values: ParsedArgs<typeof ARGS>): Promise<{ exitCode: number }> {
  if (values.all && values.type !== undefined) throw new UsageError('contract takes --type <TYPE>... or --all, not both.');
  const controller = new AbortController();
  const interrupt = () => {
    if (controller.signal.aborted) return;
    console.error('Interrupted: deleting the temporary hook first...');
    controller.abort();
  };
  process.on('SIGINT', interrupt);
  try {
    return await runContract(
      {
        strivacity: values.strivacity,
        types: values.all ? 'all' : (values.type ?? []),
        ...(values.out === undefined ? {} : { outDir: values.out }),
        json: values.json,
      },
      { stdout: (text) => console.log(text), stderr: (text) => console.error(text), signal: controller.signal },
    );
  } finally {
    process.off('SIGINT', interrupt);
  }
}
