/**
 * What the Admin API stand-in remembers and how each documented operation changes it: hooks with
 * their code, dependencies, variables and deployment status; try-out resources; the event hook
 * logs a test seeded. Requests reach these handlers only after they validated against the
 * operations document (`admin-stand-in.ts`).
 */
import { randomUUID } from 'node:crypto';
import type { ResolvedConfig } from '../../hook/config.js';
import type { AdminOperationId } from './admin-api-document.js';
import type { HOOK_STATUSES } from './admin-api-schemas.js';
import { type ContractWorld, STAND_IN_CONTRACT } from './stand-in-contract.js';
import { serveWorld } from './stand-in-world.js';
import { NODE_20_RUNTIME, runInRuntime, type RuntimeProfile } from './tryout-runtime.js';

export type HookStatus = (typeof HOOK_STATUSES)[number];

export interface StoredVariable {
  readonly name: string;
  readonly type: 'variable' | 'secret';
  readonly required?: boolean;
  readonly description?: string;
  readonly default: { type: string; value?: string; secretValue?: string };
}

export interface StoredHook {
  id: string;
  name: string;
  hook: string;
  blocking: boolean;
  code: string;
  description?: string;
  packageDependencies: Record<string, string>;
  variables: StoredVariable[];
  /** The sample argument object, as the API carries it (a string). */
  requestBody?: string;
  status: HookStatus;
  /** Status polls left before an upgrade settles. */
  upgradingPolls: number;
}

/** One event hook log entry as the log API lists it, with the console lines `GET logs/{id}` adds. */
export interface StoredLog {
  readonly id: string;
  readonly timestamp: string;
  readonly hook: { id: string; name: string; type: string };
  readonly logs: ReadonlyArray<{ level: string; message: string; timestamp: string }>;
}

export interface StateOptions {
  readonly runtime?: RuntimeProfile;
  /**
   * The recorded Entra and Dataverse that code tried out here reaches: one config's, or the one a
   * function picks for each submitted code (the sandbox reads it from the code's config block).
   */
  readonly world?: ResolvedConfig | ((code: string) => ResolvedConfig | undefined);
  /** Status polls that answer UPGRADING after a deploy (default 2). */
  readonly upgradingPolls?: number;
  /** Where a deploy settles (default ACTIVE). */
  readonly deployOutcome?: HookStatus;
  /** Delay before a try-out call runs the code, in ms (default 0). */
  readonly tryoutDelayMs?: number;
  readonly logs?: readonly StoredLog[];
  /** The descriptor, generated code, sample bodies and plugin library (default: `STAND_IN_CONTRACT`). */
  readonly contract?: Partial<ContractWorld>;
}

export interface Answer {
  readonly status: number;
  readonly body?: unknown;
  readonly contentType?: string;
}

export type Params = Record<string, string>;
export type Query = Record<string, unknown>;

export function problem(status: number, title: string, detail: string, extra: Record<string, unknown> = {}): Answer {
  return { status, contentType: 'application/problem+json', body: { status, title, detail, ...extra } };
}

/** The stand-in's memory, with one handler per documented operation (the token is the server's). */
export class StandInState {
  readonly hooks = new Map<string, StoredHook>();
  readonly tryouts = new Map<string, { functionId: string }>();
  readonly logs: StoredLog[];
  constructor(public options: StateOptions = {}) {
    this.logs = [...(options.logs ?? [])];
  }

  handle(operationId: Exclude<AdminOperationId, 'tokenpost'>, params: Params, query: Query, body: unknown): Promise<Answer> | Answer {
    switch (operationId) {
      case 'getAllEventHookFunctions':
        return this.list(query);
      case 'createEventHookFunction':
        return this.create(body as Record<string, unknown>);
      case 'getEventHookFunctionById':
        return this.withHook(params['id'], (hook) => ({ status: 200, body: view(hook) }));
      case 'updateEventHookFunction':
        return this.withHook(params['id'], (hook) => this.update(hook, body as Record<string, unknown>));
      case 'deleteEventHookFunction':
        return this.withHook(params['id'], (hook) => (this.hooks.delete(hook.id), { status: 204 }));
      case 'deployEventHookFunction':
        return this.withHook(params['id'], (hook) => this.deploy(hook));
      case 'getEventHookFunctionStatusById':
        return this.withHook(params['id'], (hook) => ({ status: 200, body: { status: this.poll(hook) } }));
      case 'createFunctionResource':
        return this.withHook(params['functionId'], (hook) => {
          const id = randomUUID();
          this.tryouts.set(id, { functionId: hook.id });
          return { status: 201, body: { id } };
        });
      case 'callFunctionResource':
        return this.call(params['functionId'] ?? '', params['id'] ?? '', body as { code: string; requestBody: Record<string, unknown> });
      case 'deleteFunctionResource':
        this.tryouts.delete(params['id'] ?? '');
        return { status: 204 };
      case 'getEventHookLogs':
        return this.listLogs(query);
      case 'getAllEventHooks':
        return { status: 200, body: this.descriptor() };
      case 'getSnippets':
        return { status: 200, body: (this.contract.snippets[params['type'] ?? ''] ?? []).map(({ id, name, description }) => ({ id, name, description })) };
      case 'getSnippetCode': {
        const snippet = this.contract.snippets[params['type'] ?? '']?.find((candidate) => candidate.id === params['id']);
        return snippet === undefined
          ? problem(404, 'Not Found', 'No such snippet.')
          : { status: 200, body: { code: snippet.code, packageDependencies: snippet.packageDependencies } };
      }
      case 'getEventHooks':
        return { status: 200, body: Object.fromEntries(Object.entries(this.contract.integrations).map(([id, { hooks: _hooks, ...listed }]) => [id, listed])) };
      case 'getEventHookIntegration': {
        const integration = this.contract.integrations[params['id'] ?? ''];
        return integration === undefined ? problem(404, 'Not Found', 'No such integration.') : { status: 200, body: integration };
      }
      case 'getEventHookLogById': {
        const entry = this.logs.find((log) => log.id === params['id']);
        return entry === undefined ? problem(404, 'Not Found', 'No such log entry.') : { status: 200, body: { ...entry, logSummary: summary(entry) } };
      }
    }
  }

  /** The contract content in use: the test's replacements over the defaults. */
  get contract(): ContractWorld {
    return { ...STAND_IN_CONTRACT, ...this.options.contract };
  }

  /** `count` is not documented; read here as the number of hooks of the type (a guess). */
  private descriptor(): Array<Record<string, unknown>> {
    const hooks = [...this.hooks.values()];
    return this.contract.descriptor.map((row) => ({ ...row, count: hooks.filter((hook) => hook.hook === row.name).length }));
  }

  private withHook(id: string | undefined, work: (hook: StoredHook) => Answer | Promise<Answer>): Answer | Promise<Answer> {
    const hook = this.hooks.get(id ?? '');
    return hook === undefined ? problem(404, 'Not Found', 'Lifecycle event hook not found.', { errorKey: 'notfound' }) : work(hook);
  }

  private list(query: Query): Answer {
    const matching = [...this.hooks.values()].filter((hook) => (query['hook'] ?? hook.hook) === hook.hook && (query['name'] ?? hook.name) === hook.name);
    const page = Number(query['page'] ?? 0);
    const size = Number(query['size'] ?? 20);
    const content = matching.slice(page * size, (page + 1) * size).map((hook) => ({
      id: hook.id,
      name: hook.name,
      hook: hook.hook,
      blocking: hook.blocking,
      ...(hook.description === undefined ? {} : { description: hook.description }),
      ...(query['withStatus'] === true ? { status: hook.status } : {}),
    }));
    return { status: 200, body: { content, page: { number: page, size, totalElements: matching.length, totalPages: Math.ceil(matching.length / size) } } };
  }

  private create(body: Record<string, unknown>): Answer {
    if ([...this.hooks.values()].some((hook) => hook.name === body['name'])) return problem(409, 'Conflict', 'A lifecycle event hook with this name exists.');
    const hook: StoredHook = {
      id: randomUUID(),
      name: String(body['name']),
      hook: String(body['hook']),
      blocking: body['blocking'] === true,
      // "if not specified it's generated automatically for each type"; the sample body likewise.
      code: typeof body['code'] === 'string' ? body['code'] : this.contract.generated(String(body['hook'])).code,
      requestBody: typeof body['requestBody'] === 'string' ? body['requestBody'] : this.contract.generated(String(body['hook'])).requestBody,
      packageDependencies: body['packageDependencies'] as Record<string, string>,
      variables: (body['variables'] as StoredVariable[] | undefined) ?? [],
      status: 'NON_DEPLOYED',
      upgradingPolls: 0,
    };
    this.hooks.set(hook.id, hook);
    return { status: 201, body: view(hook) };
  }

  private update(hook: StoredHook, body: Record<string, unknown>): Answer {
    const previous = new Map(hook.variables.map((variable) => [variable.name, variable]));
    Object.assign(hook, {
      name: body['name'],
      hook: body['hook'],
      blocking: body['blocking'],
      packageDependencies: body['packageDependencies'],
      ...(typeof body['code'] === 'string' ? { code: body['code'] } : {}),
      ...(typeof body['requestBody'] === 'string' ? { requestBody: body['requestBody'] } : {}),
      // A secret sent back without its value keeps the stored value (values are never shown).
      variables: ((body['variables'] as StoredVariable[] | undefined) ?? []).map((variable) => {
        const kept = previous.get(variable.name)?.default.secretValue;
        return variable.default.type === 'staticSecret' && variable.default.secretValue === undefined && kept !== undefined
          ? { ...variable, default: { ...variable.default, secretValue: kept } }
          : variable;
      }),
    });
    return { status: 200, body: view(hook) };
  }

  private deploy(hook: StoredHook): Answer {
    hook.status = 'UPGRADING';
    hook.upgradingPolls = this.options.upgradingPolls ?? 2;
    return { status: 200, contentType: 'text/plain', body: 'OK' };
  }

  private poll(hook: StoredHook): HookStatus {
    if (hook.status !== 'UPGRADING') return hook.status;
    if (hook.upgradingPolls > 0) hook.upgradingPolls -= 1;
    else hook.status = this.options.deployOutcome ?? 'ACTIVE';
    return hook.status;
  }

  private async call(functionId: string, id: string, body: { code: string; requestBody: Record<string, unknown> }): Promise<Answer> {
    const hook = this.hooks.get(functionId);
    if (hook === undefined || this.tryouts.get(id)?.functionId !== functionId) return problem(404, 'Not Found', 'Try-out resource not found.');
    if (this.options.tryoutDelayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, this.options.tryoutDelayMs));
    // Assumption: a try-out runs with the hook's variables (their static defaults) in scope.
    const variables = Object.fromEntries(
      hook.variables.flatMap((variable) => {
        const value = variable.default.secretValue ?? variable.default.value;
        return variable.default.type.startsWith('static') && value !== undefined ? [[variable.name, value]] : [];
      }),
    );
    const world = typeof this.options.world === 'function' ? this.options.world(body.code) : this.options.world;
    const closeWorld = world === undefined ? () => undefined : serveWorld(world);
    try {
      const { answer, lines } = await runInRuntime(body.code, body.requestBody, {
        profile: this.options.runtime ?? NODE_20_RUNTIME,
        variables,
        timeoutMs: 10_000,
      });
      // Kept as an event hook log entry of the hook, so that `logs` can be exercised end to end.
      const timestamp = new Date().toISOString();
      this.logs.push({
        id: randomUUID(),
        timestamp,
        hook: { id: hook.id, name: hook.name, type: hook.hook },
        logs: lines.map((line) => ({ ...line, timestamp })),
      });
      return { status: 200, body: answer };
    } finally {
      closeWorld();
    }
  }

  private listLogs(query: Query): Answer {
    const from = typeof query['startDate'] === 'string' ? Date.parse(query['startDate']) : -Infinity;
    const to = typeof query['endDate'] === 'string' ? Date.parse(query['endDate']) : Infinity;
    const types = query['hookTypes'] as string[] | undefined;
    const matching = this.logs.filter((log) => {
      const at = Date.parse(log.timestamp);
      return at >= from && at <= to && (query['hookName'] ?? log.hook.name) === log.hook.name && (types === undefined || types.includes(log.hook.type));
    });
    const page = Number(query['page'] ?? 0);
    const size = Number(query['size'] ?? 20);
    const body = matching
      .slice(page * size, (page + 1) * size)
      .map(({ logs: _lines, ...entry }) => ({ ...entry, logSummary: summary({ ...entry, logs: _lines }) }));
    return { status: 200, body };
  }
}

/** A hook as the API shows it: secret values never leave (a plain variable's value does). */
function view(hook: StoredHook): Record<string, unknown> {
  const shown: Record<string, unknown> = { ...hook };
  delete shown['upgradingPolls'];
  shown['variables'] = hook.variables.map((variable) => {
    const { type, value } = variable.default;
    return { ...variable, default: { type, ...(type === 'staticSecret' || value === undefined ? {} : { value }) } };
  });
  return shown;
}

function summary(entry: StoredLog): { error: number; info: number; exception: boolean } {
  const count = (level: string) => entry.logs.filter((line) => line.level === level).length;
  return { error: count('error'), info: count('info'), exception: false };
}
