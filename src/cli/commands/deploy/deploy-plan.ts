/**
 * What `deploy` would change on a Strivacity hook, worked out before anything is sent: the config
 * block of the built file against the deployed code's (a line diff: that is the part an
 * administrator edits), whether the bundled code itself changed, the dependencies, and the
 * declared secret variable. Pure functions of (deployed hook, built hook); never holds a secret's
 * value, only whether one will be sent.
 */
import type { Hook, HookVariable } from '../../strivacity/admin-client.js';

export interface DeployPlan {
  readonly create: boolean;
  /** Unified-style lines (`+`/`-`/` `) of the config block, or a note when a side has none. */
  readonly configDiff: readonly string[];
  readonly codeChanged: boolean;
  readonly dependencyChanges: readonly string[];
  readonly variableChanges: readonly string[];
  /** The variables to send: the hook's others unchanged, ours declared as a required secret. */
  readonly variables: ReadonlyArray<Record<string, unknown>>;
  readonly changed: boolean;
}

const CONFIG_BLOCK = /^const HOOK_CONFIG = [\s\S]*?^\};$/m;

/**
 * The bundled hook below the config block. The header above it (dependencies, the `Build:` line with
 * the commit and the config's hash) is not compared: dependencies and config are diffed on their own.
 */
function bundledCodeOf(code: string): string {
  const block = CONFIG_BLOCK.exec(code);
  return block === null ? code : code.slice(block.index + block[0].length);
}

/** The `const HOOK_CONFIG = {...};` block of a built file, or undefined (not built by dynamics-hook). */
export function configBlockOf(code: string): string | undefined {
  return CONFIG_BLOCK.exec(code)?.[0];
}

/** A line diff (longest common subsequence): enough for a config block of a few dozen lines. */
export function diffLines(before: readonly string[], after: readonly string[]): string[] {
  const rows = before.length + 1;
  const cols = after.length + 1;
  const common = Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
  for (let i = before.length - 1; i >= 0; i -= 1)
    for (let j = after.length - 1; j >= 0; j -= 1)
      common[i]![j] = before[i] === after[j] ? common[i + 1]![j + 1]! + 1 : Math.max(common[i + 1]![j]!, common[i]![j + 1]!);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    if (i < before.length && j < after.length && before[i] === after[j]) {
      out.push(`  ${before[i]}`);
      i += 1;
      j += 1;
    } else if (i < before.length && (j >= after.length || common[i + 1]![j]! >= common[i]![j + 1]!)) {
      // Removals first, as a reader of a diff expects.
      out.push(`- ${before[i]}`);
      i += 1;
    } else {
      out.push(`+ ${after[j]}`);
      j += 1;
    }
  }
  return out;
}

/** Only the changed lines, each with one line of context; `(unchanged)` when there are none. */
function compact(lines: readonly string[]): string[] {
  const keep = lines.map((line, index) => !line.startsWith('  ') || [-1, 1].some((offset) => lines[index + offset]?.startsWith('  ') === false));
  const shown = lines.filter((_line, index) => keep[index]);
  return shown.some((line) => !line.startsWith('  ')) ? shown : ['(unchanged)'];
}

/** A variable as the update request takes it back: secret values are never in a GET, and stay where they are. */
function asUpsert(variable: HookVariable): Record<string, unknown> {
  const type = variable.default?.type ?? 'noValue';
  const value = variable.default?.value;
  const needsValue = type === 'staticVariable' || type === 'variableReference';
  return {
    name: variable.name,
    type: variable.type,
    ...(variable.required === undefined ? {} : { required: variable.required }),
    ...(variable.description === undefined ? {} : { description: variable.description }),
    default: { type, ...(needsValue ? { value: value ?? '' } : {}) },
  };
}

export interface PlanInput {
  readonly deployed: Hook | undefined;
  readonly code: string;
  readonly packageDependencies: Record<string, string>;
  readonly secretVariable: string;
  /** True when `--secret-from-env` will send the secret's value. */
  readonly sendsSecretValue: boolean;
}

export function planDeploy(input: PlanInput): DeployPlan {
  const { deployed } = input;
  const deployedCode = deployed?.code ?? '';
  const before = configBlockOf(deployedCode);
  const after = configBlockOf(input.code) ?? '';
  const configDiff =
    deployed === undefined
      ? ['(new hook)', ...after.split('\n').map((line) => `+ ${line}`)]
      : before === undefined
        ? [`(the deployed code has no dynamics-hook config block: ${deployedCode.length.toLocaleString('en')} characters, replaced whole)`]
        : compact(diffLines(before.split('\n'), after.split('\n')));
  const codeChanged = bundledCodeOf(deployedCode) !== bundledCodeOf(input.code);

  const deployedDeps = deployed?.packageDependencies ?? {};
  const names = [...new Set([...Object.keys(deployedDeps), ...Object.keys(input.packageDependencies)])].sort();
  const dependencyChanges = names.flatMap((name) => {
    const was = deployedDeps[name];
    const will = input.packageDependencies[name];
    if (was === will) return [];
    if (was === undefined) return [`+ ${name}@${will}`];
    if (will === undefined) return [`- ${name}@${was} (not required by this build; removed)`];
    return [`~ ${name} ${was} -> ${will}`];
  });

  const existing = deployed?.variables ?? [];
  const current = existing.find((variable) => variable.name === input.secretVariable);
  const keepValue = current?.type === 'secret' && current.default?.type === 'staticSecret';
  const ours = {
    name: input.secretVariable,
    type: 'secret',
    required: true,
    description: 'Dynamics 365 credential of the hook (declared by dynamics-hook deploy)',
    // Without --secret-from-env a stored value is kept (sent back without its value) and none is invented.
    default: input.sendsSecretValue
      ? { type: 'staticSecret', secretValue: '<from the environment>' }
      : keepValue
        ? { type: 'staticSecret' }
        : { type: 'noValue' },
  };
  const variableChanges: string[] = [];
  const valueNote = input.sendsSecretValue
    ? 'value sent from the environment'
    : keepValue
      ? 'stored value kept'
      : 'no value yet: set it in the console or use --secret-from-env';
  if (current === undefined) variableChanges.push(`+ ${input.secretVariable} (secret, required; ${valueNote})`);
  else if (current.type !== 'secret' || current.required !== true || input.sendsSecretValue)
    variableChanges.push(`~ ${input.secretVariable} -> secret, required; ${valueNote}`);
  const variables = [...existing.filter((variable) => variable.name !== input.secretVariable).map(asUpsert), ours];

  const changed = deployed === undefined || codeChanged || configDiff[0] !== '(unchanged)' || dependencyChanges.length > 0 || variableChanges.length > 0;
  return { create: deployed === undefined, configDiff, codeChanged, dependencyChanges, variableChanges, variables, changed };
}

/** The plan as printed. */
export function formatPlan(plan: DeployPlan): string[] {
  return [
    plan.create
      ? 'The hook does not exist: it will be created.'
      : `Code outside the config block: ${plan.codeChanged ? 'changed (a new build)' : 'unchanged'}.`,
    'Config block:',
    ...plan.configDiff.map((line) => `  ${line}`),
    `Dependencies: ${plan.dependencyChanges.length === 0 ? 'unchanged' : plan.dependencyChanges.join(', ')}`,
    `Variables: ${plan.variableChanges.length === 0 ? 'unchanged' : plan.variableChanges.join(', ')}`,
  ];
}
