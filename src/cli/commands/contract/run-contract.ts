/**
 * The engine of `dynamics-hook contract --strivacity <url> [--type <TYPE> ... | --all] [--out <dir>]
 * [--json]`: what a tenant says about its hook types. It reads the descriptor (every type's
 * blocking, target and count) and the plugin library's Microsoft Dynamics 365 templates, then per
 * type asked creates a temporary hook without code, reads back the code and sample body Strivacity
 * generated, deletes the hook (also on Ctrl-C and on any error), lists the type's snippets, and
 * prints what the code and body tell: argument paths, result classes, callback parameters. Files go
 * to `outDir`. It deploys nothing. Option parsing is the command line's (`src/cli/commands/`); this
 * takes the options already parsed.
 *
 * Exit codes (returned or, for errors, carried by the thrown `CliError` as everywhere):
 * 0 done and every temporary hook deleted; 1 an Admin API failure (AdminError) or a temporary hook
 * that could not be deleted (its name and id are printed on stderr); 2 an unknown `--type`
 * (UsageError); 3 a file or folder that cannot be written; 130 interrupted, after the clean-up.
 */
import { outsideJson } from '../../terminal-text.js';
import { UsageError } from '../../errors.js';
import { parseTenantUrl } from '../../strivacity/admin-token.js';
import { AdminError } from '../../strivacity/problem.js';
import { openClient } from '../../strivacity/target.js';
import { CONTRACT_SCOPES, ContractClient, type DescriptorRow, READ_SCOPES } from './contract-client.js';
import { HOOK_TYPE_NAME, prepareFolder, writeIntegrationFiles, writeTypeFiles } from './contract-files.js';
import { formatDescriptor, formatDone, formatLeftBehind, formatTemplates, formatType } from './contract-report.js';
import { readDynamicsTemplates } from './dynamics-integration.js';
import { type LeftBehind, probeType, throwIfAborted } from './probe-type.js';
import { readTypeContract, type TypeContract } from './type-contract.js';

export interface ContractOptions {
  /** `--strivacity`: the instance URL as typed (https, or http on a loopback address); checked here. */
  readonly strivacity: string;
  /**
   * `--type` (repeatable; matched to the descriptor's names, case-insensitive) or `--all` (every
   * type the descriptor lists). Empty: the descriptor and the plugin library only; nothing is created
   * and only `read:config_event_hook` is asked for.
   */
  readonly types: readonly string[] | 'all';
  /** `--out <dir>`: where the files go (created if missing). Without it nothing is written. */
  readonly outDir?: string | undefined;
  /** `--json`: one JSON document on stdout at the end, instead of the text report. */
  readonly json: boolean;
}

export interface ContractIo {
  /** One report line (or block of lines) for stdout. */
  readonly stdout: (text: string) => void;
  /** One line for stderr: the interrupt notice, and each temporary hook that could not be deleted. */
  readonly stderr: (text: string) => void;
  /** Aborted on Ctrl-C: the run stops, deletes its temporary hook, and throws `interrupted` (exit 130). */
  readonly signal: AbortSignal;
}

/** The descriptor rows to probe, in the descriptor's order; a name it does not list is a usage error. */
export function selectTypes(descriptor: readonly DescriptorRow[], types: readonly string[] | 'all'): DescriptorRow[] {
  const probeable = descriptor.filter((row, index) => HOOK_TYPE_NAME.test(row.name) && descriptor.findIndex((other) => other.name === row.name) === index);
  if (types === 'all') return probeable;
  const asked = new Set(types.map((type) => type.trim().toUpperCase()));
  const unknown = [...asked].filter((type) => !probeable.some((row) => row.name === type));
  if (unknown.length > 0)
    throw new UsageError(
      `--type ${unknown.join(', ')}: not a hook type of this instance. Its descriptor lists: ${probeable.map((row) => row.name).join(', ') || 'none'}.`,
    );
  return probeable.filter((row) => asked.has(row.name));
}

/** Checks the --type values' spelling before anything is called. */
function checkSpelling(types: readonly string[] | 'all'): void {
  if (types === 'all') return;
  const bad = types.filter((type) => !HOOK_TYPE_NAME.test(type.trim().toUpperCase()));
  if (bad.length > 0) throw new UsageError(`--type takes a hook type as the Admin API spells it (POST_ACCOUNT_UPDATE): ${bad.length} value(s) are not.`);
}

/** Runs `contract`; see the module comment for what it prints, writes and exits with. */
export async function runContract(options: ContractOptions, io: ContractIo): Promise<{ exitCode: number }> {
  checkSpelling(options.types);
  const tenant = parseTenantUrl(options.strivacity);
  const probing = options.types === 'all' || options.types.length > 0;
  // The token is asked for exactly these scopes; a grant that lacks one stops the run before any operation.
  const client = new ContractClient(openClient({ tenant }, probing ? CONTRACT_SCOPES : READ_SCOPES, io.signal));
  const leftBehind: LeftBehind[] = [];
  const deps = {
    client,
    cleanup: client.detached(),
    signal: io.signal,
    leftBehind: (entry: LeftBehind) => {
      leftBehind.push(entry);
      io.stderr(formatLeftBehind(entry));
    },
  };
  const onAbort = () => io.stderr('Interrupted: deleting the temporary hook first...');
  io.signal.addEventListener('abort', onAbort, { once: true });
  const out = (text: string) => {
    if (!options.json) io.stdout(text);
  };
  try {
    const descriptor = await client.descriptor();
    const rows = selectTypes(descriptor, options.types);
    out(formatDescriptor(tenant, descriptor));
    if (options.outDir !== undefined) prepareFolder(options.outDir);
    throwIfAborted(io.signal);
    const templates = await readDynamicsTemplates(client);
    const templateFiles = options.outDir !== undefined && templates.status === 'found' ? writeIntegrationFiles(options.outDir, templates.integration) : [];
    out(formatTemplates(templates, templateFiles));
    const contracts: TypeContract[] = [];
    for (const row of rows) {
      throwIfAborted(io.signal);
      const snippets = await client.snippets(row.name);
      const { hook, name } = await probeType(deps, row.name, row.blocking === 'YES');
      const files = options.outDir === undefined ? [] : writeTypeFiles(options.outDir, row.name, hook, snippets);
      const contract: TypeContract = { ...readTypeContract(row, hook, name, snippets), files };
      contracts.push(contract);
      out(formatType(contract, leftBehind));
    }
    out(formatDone(contracts.length, leftBehind, options.outDir));
    if (options.json)
      io.stdout(
        outsideJson({ instance: tenant.origin, descriptor, templates: { ...templates, files: templateFiles }, types: contracts, leftBehind, deployed: false }),
      );
    return { exitCode: leftBehind.length === 0 ? 0 : 1 };
  } catch (error) {
    if (error instanceof AdminError && error.code === 'interrupted')
      throw new AdminError(
        'interrupted',
        leftBehind.length === 0
          ? 'Interrupted: every temporary hook was deleted; nothing was deployed.'
          : `Interrupted: ${leftBehind.length} temporary hook(s) could not be deleted (see above).`,
        undefined,
        { cause: error },
      );
    throw error;
  } finally {
    io.signal.removeEventListener('abort', onAbort);
  }
}
