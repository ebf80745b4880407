/**
 * A small client of the Strivacity Admin API operations that `dynamics-hook` uses (hooks, deploy,
 * status, try-out, logs), built from the published OpenAPI documents, not against a live tenant.
 * Every answer is checked with zod at this edge; every failure becomes one `AdminError`.
 *
 * Retries: only where repeating cannot do harm. GET, PUT and DELETE are idempotent and retried on
 * 5xx and network errors (twice, with backoff); POST (create, deploy, try-out) is not, since a
 * repeat could create a second hook or run the code twice. The token POST is retried: it changes
 * nothing on the server.
 */
import { z } from 'zod';
import { type AdminCredentials, type AdminToken, requestAdminToken } from './admin-token.js';
import { AdminError, errorFromAnswer, operationLabel } from './problem.js';
import type { HOOK_KINDS } from '../../build/kinds.js';

/** The Admin API types of the kinds this product builds (the kind table). */
export type HookType = (typeof HOOK_KINDS)[number]['strivacityType'];

export const hookVariableSchema = z.looseObject({
  name: z.string(),
  type: z.enum(['variable', 'secret']),
  required: z.boolean().optional(),
  description: z.string().optional(),
  default: z.looseObject({ type: z.string(), value: z.string().optional() }).optional(),
});
export type HookVariable = z.infer<typeof hookVariableSchema>;

const hookSummarySchema = z.looseObject({ id: z.string(), name: z.string(), hook: z.string(), status: z.string().optional() });
export const hookSchema = hookSummarySchema.extend({
  blocking: z.boolean().optional(),
  code: z.string().optional(),
  description: z.string().optional(),
  packageDependencies: z.record(z.string(), z.string()).optional(),
  variables: z.array(hookVariableSchema).optional(),
});
export type Hook = z.infer<typeof hookSchema>;

const pageSchema = z.looseObject({
  content: z.array(hookSummarySchema),
  page: z.looseObject({ number: z.number(), totalPages: z.number() }).optional(),
});
const statusSchema = z.looseObject({ status: z.enum(['ACTIVE', 'UPGRADING', 'UNHEALTHY', 'NOT_RUNNING', 'NON_DEPLOYED']) });
export type HookStatus = z.infer<typeof statusSchema>['status'];
const tryoutSchema = z.looseObject({ id: z.string().min(1) });
/** `{status, body}`: what `body` holds per result class is not documented, so it stays unknown here. */
const callSchema = z.looseObject({ status: z.number().int(), body: z.unknown() });
export type TryoutAnswer = z.infer<typeof callSchema>;

/**
 * `value` without its null-valued keys, when it is a plain object: an API (or a hook's log line)
 * that writes `"timestamp": null` for an optional field means "absent", and one such entry must
 * not fail a whole command.
 */
export function dropNulls(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== null));
}
const lenient = <T extends z.ZodType>(schema: T) => z.preprocess(dropNulls, schema);

export const logEntrySchema = lenient(
  z.looseObject({
    id: z.string(),
    timestamp: z.string().optional(),
    hook: lenient(z.looseObject({ id: z.string().optional(), name: z.string().optional(), type: z.string().optional() })).optional(),
    logs: z.array(lenient(z.looseObject({ level: z.string().optional(), message: z.string().optional(), timestamp: z.string().optional() }))).optional(),
  }),
);
export type LogEntry = z.infer<typeof logEntrySchema>;

/** What a hook write sends (create and update take the same fields). */
export interface HookWrite {
  readonly name: string;
  readonly hook: HookType;
  readonly blocking: boolean;
  readonly code: string;
  readonly packageDependencies: Record<string, string>;
  readonly variables?: ReadonlyArray<Record<string, unknown>>;
  readonly description?: string;
}

export interface AdminClientOptions {
  readonly tenant: URL;
  readonly credentials: AdminCredentials;
  /** Scopes to ask for: those of the operations the command will call. */
  readonly scopes: readonly string[];
  readonly fetch?: typeof fetch;
  /** Per-request limit, in ms (default 30 s; a try-out call runs the hook, give it more). */
  readonly timeoutMs?: number;
  /** Waits before each retry of an idempotent request, in ms (default 500, 2000). */
  readonly retryDelaysMs?: readonly number[];
  /** Aborts every request (SIGINT). */
  readonly signal?: AbortSignal | undefined;
}

const API = '/admin/api/v1/eventHooks';
/** Hooks per page of the hook search, and the pages it reads at most (1,000 hooks of one name and type). */
export const HOOK_PAGE_SIZE = 50;
export const MAX_HOOK_PAGES = 20;
export type AdminMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
type Method = AdminMethod;

export class AdminClient {
  #token: AdminToken | undefined;
  constructor(private readonly options: AdminClientOptions) {}

  /** The same client without the abort signal: for the clean-up that must run after an interrupt. */
  detached(): AdminClient {
    const copy = new AdminClient({ ...this.options, signal: undefined });
    copy.#token = this.#token;
    return copy;
  }

  /**
   * The hook with this exact name and type, or undefined. Follows the list's paging, at most
   * `MAX_HOOK_PAGES` pages (the list is filtered by name: one page is the norm). Past that bound it
   * stops with an error rather than answer "not found", which would make deploy create a second hook.
   */
  async findHook(type: HookType, name: string): Promise<Hook | undefined> {
    for (let page = 0; page < MAX_HOOK_PAGES; page += 1) {
      const query = new URLSearchParams({ hook: type, name, withStatus: 'true', page: String(page), size: String(HOOK_PAGE_SIZE) });
      const answer = await this.send('getAllEventHookFunctions', 'GET', `${API}/function?${query}`, pageSchema);
      const found = answer.content.find((hook) => hook.name === name && hook.hook === type);
      if (found !== undefined) return this.getHook(found.id);
      if (answer.page === undefined || answer.content.length === 0 || page + 1 >= answer.page.totalPages) return undefined;
    }
    throw new AdminError(
      'bad_response',
      `Strivacity Admin API getAllEventHookFunctions: stopped after ${MAX_HOOK_PAGES} pages of ${HOOK_PAGE_SIZE} hooks without finding "${name}", though the list claims more. Nothing was changed; check the hooks of this instance in the console, or report this line.`,
    );
  }
  getHook(id: string): Promise<Hook> {
    return this.send('getEventHookFunctionById', 'GET', `${API}/function/${encodeURIComponent(id)}`, hookSchema);
  }
  createHook(write: HookWrite): Promise<Hook> {
    return this.send('createEventHookFunction', 'POST', `${API}/function`, hookSchema, write);
  }
  updateHook(id: string, write: HookWrite): Promise<Hook> {
    return this.send('updateEventHookFunction', 'PUT', `${API}/function/${encodeURIComponent(id)}`, hookSchema, write);
  }
  deleteHook(id: string): Promise<void> {
    return this.send('deleteEventHookFunction', 'DELETE', `${API}/function/${encodeURIComponent(id)}`, z.unknown()).then(() => undefined);
  }
  deployHook(id: string): Promise<void> {
    return this.send('deployEventHookFunction', 'POST', `${API}/function/${encodeURIComponent(id)}/deploy`, z.unknown()).then(() => undefined);
  }
  async hookStatus(id: string): Promise<HookStatus> {
    return (await this.send('getEventHookFunctionStatusById', 'GET', `${API}/function/${encodeURIComponent(id)}/status`, statusSchema)).status;
  }
  async createTryout(functionId: string, code: string, packageDependencies: Record<string, string>): Promise<string> {
    return (
      await this.send('createFunctionResource', 'POST', `${API}/function/${encodeURIComponent(functionId)}/test`, tryoutSchema, { code, packageDependencies })
    ).id;
  }
  callTryout(functionId: string, id: string, code: string, packageDependencies: Record<string, string>, requestBody: object): Promise<TryoutAnswer> {
    const path = `${API}/function/${encodeURIComponent(functionId)}/test/${encodeURIComponent(id)}/call`;
    return this.send('callFunctionResource', 'POST', path, callSchema, { code, packageDependencies, requestBody });
  }
  deleteTryout(functionId: string, id: string): Promise<void> {
    const path = `${API}/function/${encodeURIComponent(functionId)}/test/${encodeURIComponent(id)}`;
    return this.send('deleteFunctionResource', 'DELETE', path, z.unknown()).then(() => undefined);
  }
  /** One page of the log list (`size` entries at most). The documented answer is a bare array. */
  listLogs(query: URLSearchParams): Promise<LogEntry[]> {
    return this.send('getEventHookLogs', 'GET', `${API}/logs?${query}`, z.array(logEntrySchema));
  }
  getLog(id: string): Promise<LogEntry> {
    return this.send('getEventHookLogById', 'GET', `${API}/logs/${encodeURIComponent(id)}`, logEntrySchema);
  }

  /**
   * One call of an operation this class has no method for, declared by the command's own module
   * (`contract/contract-client.ts`): the same token, limits, retries, redirect refusal and error
   * mapping as every method above. `operation` is the published operationId.
   */
  request<T>(operation: string, method: AdminMethod, path: string, schema: z.ZodType<T>, body?: unknown): Promise<T> {
    return this.send(operation, method, path, schema, body);
  }

  private async send<T>(operation: string, method: Method, path: string, schema: z.ZodType<T>, body?: unknown): Promise<T> {
    const idempotent = method !== 'POST';
    const delays = idempotent ? (this.options.retryDelaysMs ?? [500, 2000]) : [];
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.once(operation, method, path, schema, body);
      } catch (error) {
        const transient = error instanceof AdminError && (error.code === 'server' || error.code === 'network');
        const delay = delays[attempt];
        if (!transient || delay === undefined || this.options.signal?.aborted === true) throw error;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private async once<T>(operation: string, method: Method, path: string, schema: z.ZodType<T>, body?: unknown): Promise<T> {
    const token = await this.token();
    const response = await this.fetch(operation, new URL(path, this.options.tenant).href, {
      method,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = text;
    }
    if (!response.ok) {
      // A refused token is not retried with the same token: drop it, so a rerun gets a new one.
      if (response.status === 401) this.#token = undefined;
      throw errorFromAnswer(operation, response.status, parsed);
    }
    const checked = schema.safeParse(parsed);
    if (!checked.success)
      throw new AdminError(
        'bad_response',
        `Strivacity Admin API ${operationLabel(operation)} answered ${response.status} with a body the published documents do not describe. Report it with this line.`,
        response.status,
      );
    return checked.data;
  }

  private async token(): Promise<string> {
    // Renewed a minute early: a token that expires mid-deploy would fail a status poll.
    if (this.#token !== undefined && this.#token.expiresAt - 60_000 > Date.now()) return this.#token.accessToken;
    const send = (url: string, init: RequestInit) => this.fetch('tokenpost', url, init);
    for (let attempt = 0; ; attempt += 1) {
      try {
        this.#token = await requestAdminToken(this.options.tenant, this.options.credentials, this.options.scopes, send);
        return this.#token.accessToken;
      } catch (error) {
        const delay = (this.options.retryDelaysMs ?? [500, 2000])[attempt];
        if (!(error instanceof AdminError && (error.code === 'server' || error.code === 'network')) || delay === undefined) throw error;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** fetch with the per-request limit and the command's abort signal; network failures become AdminError. */
  private async fetch(operation: string, url: string, init: RequestInit): Promise<Response> {
    const signals = [AbortSignal.timeout(this.options.timeoutMs ?? 30_000), ...(this.options.signal === undefined ? [] : [this.options.signal])];
    let response: Response;
    try {
      // Never followed: fetch drops the bearer token on a cross-origin redirect, but would then
      // believe whatever the other host answers (and a 307 re-sends the token request's body).
      response = await (this.options.fetch ?? fetch)(url, { ...init, redirect: 'manual', signal: AbortSignal.any(signals) });
    } catch (error) {
      if (this.options.signal?.aborted === true) throw new AdminError('interrupted', 'Interrupted.', undefined, { cause: error });
      throw new AdminError(
        'network',
        `Strivacity Admin API ${operationLabel(operation)} could not be reached (${networkCause(error)}), retried where safe. Check --strivacity, this machine's network and proxy, then run again.`,
        undefined,
        { cause: error },
      );
    }
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel().catch(() => undefined);
      throw new AdminError(
        'redirect',
        `Strivacity Admin API ${operationLabel(operation)} answered ${response.status} (a redirect), which dynamics-hook never follows: --strivacity must be the instance's own URL (https://<tenant>.strivacity.com), not an alias, a proxy or a login page.`,
        response.status,
      );
    }
    return response;
  }
}

/** A short, fixed-vocabulary cause: never the error's own message, which may quote a URL or header. */
function networkCause(error: unknown): string {
  const code = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code ?? (error as { code?: unknown } | undefined)?.code;
  if (error instanceof DOMException && error.name === 'TimeoutError') return 'timed out';
  return typeof code === 'string' && /^[A-Z_]+$/.test(code) ? code : 'connection failed';
}
