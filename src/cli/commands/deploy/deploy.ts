/**
 * `dynamics-hook deploy --strivacity <url> --config <file> [--hook <kind>] [--name <hook>]
 * [--dry-run] [--file <code.js>] [--secret-from-env] [--backup-dir <dir>] [--wait-seconds <n>]
 * [--json]`: builds the hook (or takes `--file`, to restore a backup), finds the Strivacity hook by
 * name and type (creates it if missing), shows what would change, and unless `--dry-run` updates
 * code, dependencies and the declared secret variable, deploys, and waits until the hook is ACTIVE.
 * The code it replaces is saved first, with the command that restores it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_HOOK_CHARACTERS } from '../../../build/artifact.js';
import { buildHook } from '../../../build/build-hook.js';
import { neverPrint, outsideJson, outsideText } from '../../terminal-text.js';
import type { AdminClient, Hook, HookStatus, HookWrite } from '../../strivacity/admin-client.js';
import { formatPlan, planDeploy, type DeployPlan } from './deploy-plan.js';
import { AdminError } from '../../strivacity/problem.js';
import { openClient, readTarget, secretVariableOf, TARGET_ARGS, type Target } from '../../strivacity/target.js';
import { ADMIN_API_NOTE } from '../../strivacity/admin-api-note.js';
import { type ArgsDef, defineCommand, type ParsedArgs } from '../../args.js';
import { kindFacts } from '../../../build/kinds.js';
import { invocation } from '../../invocation.js';
import { fileError, UsageError } from '../../errors.js';
import { readJsonFile } from '../../files.js';

const DEPLOY_SCOPES = ['read:config_event_hook', 'write:config_event_hook'] as const;

interface Source {
  readonly code: string;
  readonly packageDependencies: Record<string, string>;
}

/** The built hook, or a saved file with its `.dependencies.json` beside it (else the build's dependencies). */
async function readSource(target: Target, file: string | undefined): Promise<Source> {
  const built = await buildHook(target.kind, target.rawConfig);
  if (file === undefined) return built;
  let code: string;
  try {
    code = readFileSync(file, 'utf8');
  } catch (error) {
    throw fileError('read', file, error);
  }
  const dependenciesFile = file.replace(/\.js$/, '') + '.dependencies.json';
  const packageDependencies = existsSync(dependenciesFile) ? (readJsonFile(dependenciesFile) as Record<string, string>) : built.packageDependencies;
  // Refused here rather than by the API's 400: the limit is published (code maxLength).
  if (code.length === 0 || code.length > MAX_HOOK_CHARACTERS)
    throw new UsageError(`${file} has ${code.length.toLocaleString('en')} characters; Strivacity accepts 1 to ${MAX_HOOK_CHARACTERS.toLocaleString('en')}.`);
  return { code, packageDependencies };
}

/** Saves the code being replaced, and its dependencies; returns the file. */
function backUp(hook: Hook, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const slug = hook.name
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();
  const file = join(dir, `${slug}.${new Date().toISOString().replace(/[:.]/g, '-')}.previous.js`);
  writeFileSync(file, hook.code ?? '');
  writeFileSync(file.replace(/\.js$/, '') + '.dependencies.json', `${JSON.stringify(hook.packageDependencies ?? {}, null, 2)}\n`);
  return file;
}

/** Polls the status until ACTIVE; a hook UNHEALTHY or NOT_RUNNING twice in a row, or past the wait, has failed. */
async function waitUntilActive(
  client: AdminClient,
  id: string,
  waitMs: number,
  pollMs: number,
  progress: (status: HookStatus, seconds: number) => void,
): Promise<HookStatus> {
  const started = Date.now();
  let bad = 0;
  let status: HookStatus = 'UPGRADING';
  for (;;) {
    status = await client.hookStatus(id);
    progress(status, Math.round((Date.now() - started) / 1000));
    if (status === 'ACTIVE') return status;
    bad = status === 'UNHEALTHY' || status === 'NOT_RUNNING' ? bad + 1 : 0;
    if (bad >= 2 || Date.now() - started + pollMs > waitMs) return status;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

export interface DeployResult {
  readonly hook: string;
  readonly id: string | undefined;
  readonly dryRun: boolean;
  readonly plan: Omit<DeployPlan, 'variables'>;
  readonly status?: HookStatus;
  readonly backup?: string;
}

const ARGS = {
  ...TARGET_ARGS,
  'dry-run': { type: 'boolean', default: false, description: 'show the change and change nothing' },
  file: { type: 'string', valueHint: '<code.js>', description: 'deploy this file instead of building (a backup, to restore it)' },
  'secret-from-env': { type: 'boolean', default: false, description: "send the secret variable's value from this shell (else set it in the console)" },
  'backup-dir': { type: 'string', valueHint: '<dir>', default: '.dynamics-hook/backups', description: 'where the replaced code is saved' },
  'wait-seconds': { type: 'string', valueHint: '<n>', default: '300', description: 'how long to wait for ACTIVE' },
  'poll-ms': { type: 'string', valueHint: '<n>', default: '3000', hidden: true, description: 'the status poll interval (tests)' },
} as const satisfies ArgsDef;

export const DEPLOY_COMMAND = defineCommand({
  name: 'deploy',
  summary: 'Strivacity: build, show the change, update, deploy, wait for ACTIVE',
  description: `Shows the change (config block, dependencies, secret variable), updates (or creates the hook,
blocking as its kind is), deploys and waits until ACTIVE; saves the replaced code and prints how
to restore it (--file).${ADMIN_API_NOTE}`,
  args: ARGS,
  run: deploy,
});

async function deploy(values: ParsedArgs<typeof ARGS>): Promise<{ exitCode: number }> {
  const target = readTarget(values);
  const waitMs = Number(values['wait-seconds']) * 1000;
  const pollMs = Number(values['poll-ms']);
  if (!Number.isFinite(waitMs) || waitMs <= 0 || !Number.isFinite(pollMs) || pollMs < 0)
    throw new UsageError('--wait-seconds and --poll-ms must be positive numbers.');
  const secretVariable = secretVariableOf(target.config);
  const secretValue = values['secret-from-env'] ? process.env[secretVariable] : undefined;
  if (values['secret-from-env'] && !secretValue)
    throw new AdminError(
      'setup',
      `--secret-from-env: ${secretVariable} is not set in this shell. Export it, or leave the flag out and set the value in the console.`,
    );
  // An API error may quote the value back (a field error about the variable): it is cut from every line.
  if (secretValue !== undefined) neverPrint(secretValue);
  const source = await readSource(target, values.file);
  const dryRun = values['dry-run'];
  const client = openClient(target, dryRun ? DEPLOY_SCOPES.slice(0, 1) : DEPLOY_SCOPES);
  const deployed = await client.findHook(target.type, target.name);
  const plan = planDeploy({ deployed, ...source, secretVariable, sendsSecretValue: secretValue !== undefined });
  const { variables, ...shown } = plan;
  const say = (line: string) => {
    // The plan quotes the deployed code's config block, and the API names the hook: outside text.
    if (!values.json) console.log(outsideText(line));
  };
  say(`deploy ${target.kind} hook "${target.name}" on ${target.tenant.host}${dryRun ? ' (dry run: nothing is changed)' : ''}`);
  for (const line of formatPlan(plan)) say(line);
  const finish = (result: DeployResult, exitCode = 0) => {
    if (values.json) console.log(outsideJson(result));
    return { exitCode };
  };
  if (dryRun) return finish({ hook: target.name, id: deployed?.id, dryRun, plan: shown });
  if (!plan.changed && deployed?.status === 'ACTIVE') {
    say('Nothing to change: the hook is up to date and ACTIVE.');
    return finish({ hook: target.name, id: deployed.id, dryRun, plan: shown, status: 'ACTIVE' });
  }

  const write: HookWrite = {
    name: target.name,
    hook: target.type,
    blocking: kindFacts(target.kind).blocking,
    code: source.code,
    packageDependencies: source.packageDependencies,
    // The placeholder of the plan becomes the value only here, in the request body.
    variables: variables.map((variable) =>
      variable['name'] === secretVariable && secretValue !== undefined ? { ...variable, default: { type: 'staticSecret', secretValue } } : variable,
    ),
    ...(deployed?.description === undefined ? {} : { description: deployed.description }),
  };
  const backup = deployed === undefined ? undefined : backUp(deployed, values['backup-dir']);
  if (backup !== undefined) say(`Saved the deployed code to ${backup}.`);
  const hook = deployed === undefined ? await client.createHook(write) : await client.updateHook(deployed.id, write);
  say(deployed === undefined ? `Created hook ${hook.id}.` : `Updated hook ${hook.id}.`);
  await client.deployHook(hook.id);
  let last: string | undefined;
  const status = await waitUntilActive(client, hook.id, waitMs, pollMs, (current, seconds) => {
    // One progress line per status change (a terminal would redraw it; logs stay readable).
    if (current !== last) say(`  status ${current} after ${seconds} s`);
    last = current;
  });
  const restore =
    backup === undefined
      ? undefined
      : `${invocation()} deploy --strivacity ${target.tenant.origin} --config ${values.config} --hook ${target.kind} --name "${target.name}" --file ${backup}`;
  if (status !== 'ACTIVE') {
    const message = `Deploy did not become ACTIVE: the hook is ${status} after the wait. Check the hook in the console (status, Debug Logs)${restore === undefined ? '.' : `; to restore the previous code: ${restore}`}`;
    if (values.json) finish({ hook: target.name, id: hook.id, dryRun, plan: shown, status, ...(backup === undefined ? {} : { backup }) }, 1);
    throw new AdminError('deploy_failed', message);
  }
  say(`Deployed: the hook is ACTIVE.${restore === undefined ? '' : ` To restore the previous code: ${restore}`}`);
  return finish({ hook: target.name, id: hook.id, dryRun, plan: shown, status, ...(backup === undefined ? {} : { backup }) });
}
