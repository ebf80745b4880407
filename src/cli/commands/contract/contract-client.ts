/**
 * The Admin API operations of `contract`, on the shared client (`AdminClient.request`: its token,
 * limits, retries, redirect refusal and error mapping): the hook-type descriptor, a temporary hook
 * created without `code` and read back, the plugin library's snippets and integrations. Written
 * from the published documents (api-evangelist/strivacity `openapi/`:
 * `strivacity-lifecycle-event-hook-descriptor-api-openapi.yml`, `...-lifecycle-event-hook-api-...`,
 * `strivacity-plugin-library-api-openapi.yml`); every answer is checked with zod here.
 */
import { z } from 'zod';
import { type AdminClient, type AdminMethod, dropNulls } from '../../strivacity/admin-client.js';
import { AdminError } from '../../strivacity/problem.js';

/** What `contract` asks the token for: it reads, creates and deletes hooks (reading alone needs the first). */
export const CONTRACT_SCOPES = ['read:config_event_hook', 'write:config_event_hook', 'delete:config_event_hook'] as const;
export const READ_SCOPES = ['read:config_event_hook'] as const;

/** Pages of the hook list read at most when looking for a temporary hook by name. */
export const MAX_PROBE_PAGES = 5;

const lenient = <T extends z.ZodType>(schema: T) => z.preprocess(dropNulls, schema);

/**
 * One row per hook type. `blocking` (YES | NO | USER_DEFINED) and `target` (application |
 * identityStore) are enums in the document; read as short strings, so that a value added later
 * is printed rather than failing the whole command.
 */
const descriptorRowSchema = lenient(
  z.looseObject({
    name: z.string().min(1).max(200),
    blocking: z.string().max(200).optional(),
    target: z.string().max(200).optional(),
    count: z.number().optional(),
  }),
);
export type DescriptorRow = z.infer<typeof descriptorRowSchema>;

/** The hook as read back; the document's limits: code up to 256,000 characters, requestBody up to 8,000. */
const probeHookSchema = lenient(
  z.looseObject({
    id: z.string().min(1).max(200),
    name: z.string().optional(),
    hook: z.string().optional(),
    code: z.string().max(256_000).optional(),
    requestBody: z.string().max(8_000).optional(),
  }),
);
export type ProbeHook = z.infer<typeof probeHookSchema>;

const hookPageSchema = z.looseObject({
  content: z.array(z.looseObject({ id: z.string(), name: z.string(), hook: z.string() })),
  page: z.looseObject({ totalPages: z.number() }).optional(),
});

const snippetSchema = lenient(z.looseObject({ id: z.string().optional(), name: z.string().optional(), description: z.string().optional() }));
export type Snippet = z.infer<typeof snippetSchema>;

const listedIntegrationSchema = lenient(
  z.looseObject({ displayName: z.string().optional(), summary: z.string().optional(), maintainer: z.string().optional() }),
);
export type ListedIntegration = z.infer<typeof listedIntegrationSchema>;

const templateSchema = lenient(
  z.looseObject({
    name: z.string().optional(),
    code: z.string().max(256_000).optional(),
    packageDependencies: z.record(z.string(), z.string()).optional(),
  }),
);
const integrationSchema = lenient(z.looseObject({ displayName: z.string().optional(), hooks: z.record(z.string(), templateSchema).optional() }));
export type Integration = z.infer<typeof integrationSchema>;

const DESCRIPTOR = '/admin/api/v1/eventHooks/descriptor';
const FUNCTIONS = '/admin/api/v1/eventHooks/function';
const PLUGINS = '/admin/api/v2/pluginLibrary';

/** The scope of each operation (`REQUIRED API PERMISSION` in the documents), for a 403. */
const SCOPE: Readonly<Record<string, string>> = {
  getAllEventHooks: 'read:config_event_hook',
  getSnippets: 'read:config_event_hook',
  getEventHooks: 'read:config_event_hook',
  getEventHookIntegration: 'read:config_event_hook',
  getAllEventHookFunctions: 'read:config_event_hook',
  getEventHookFunctionById: 'read:config_event_hook',
  createEventHookFunction: 'write:config_event_hook',
  deleteEventHookFunction: 'delete:config_event_hook',
};

/**
 * The shared mapping's 403, 404 and 409 lines name deploy's flags (`--name`, `--hook`) and scopes;
 * contract's own say what was missing or in the way instead.
 */
function restated(operation: string, error: unknown): unknown {
  if (!(error instanceof AdminError)) return error;
  const what = `Strivacity Admin API ${operation} answered ${error.status ?? ''}`.trimEnd();
  if (error.code === 'scope' && error.status === 403)
    return new AdminError(
      'scope',
      `${what}: the client lacks the scope ${SCOPE[operation] ?? 'this operation needs'}. Grant it in the Strivacity console, in the API access policy that covers this client.`,
      403,
      { cause: error },
    );
  if (error.code === 'conflict')
    return new AdminError(
      'conflict',
      `${what} (conflict): ${operation === 'deleteEventHookFunction' ? 'the hook is assigned to an application or identity store and cannot be removed' : 'a hook of this name exists'}.`,
      error.status,
      { cause: error },
    );
  if (error.code === 'not_found')
    return new AdminError('not_found', `${what} (not found): the hook or plugin-library entry does not exist (any more).`, error.status, { cause: error });
  return error;
}

export class ContractClient {
  constructor(private readonly client: AdminClient) {}

  /** The same operations without the abort signal: for the clean-up after an interrupt. */
  detached(): ContractClient {
    return new ContractClient(this.client.detached());
  }

  descriptor(): Promise<DescriptorRow[]> {
    return this.call('getAllEventHooks', 'GET', DESCRIPTOR, z.array(descriptorRowSchema));
  }

  /**
   * A hook of `type` with no `code`, so that Strivacity generates its default ("if not specified
   * it's generated automatically for each type"), and no `requestBody`, likewise. Nothing is deployed.
   */
  createProbe(type: string, name: string, blocking: boolean): Promise<ProbeHook> {
    return this.call('createEventHookFunction', 'POST', FUNCTIONS, probeHookSchema, {
      name,
      hook: type,
      blocking,
      packageDependencies: {},
      description: 'Temporary hook of dynamics-hook contract, which reads its generated code and deletes it. Safe to delete.',
    });
  }

  getProbe(id: string): Promise<ProbeHook> {
    return this.call('getEventHookFunctionById', 'GET', `${FUNCTIONS}/${encodeURIComponent(id)}`, probeHookSchema);
  }

  async deleteProbe(id: string): Promise<void> {
    await this.call('deleteEventHookFunction', 'DELETE', `${FUNCTIONS}/${encodeURIComponent(id)}`, z.unknown());
  }

  /** The id of the hook of this exact type and name, if one exists (a create whose answer was lost). */
  async findProbe(type: string, name: string): Promise<string | undefined> {
    for (let page = 0; page < MAX_PROBE_PAGES; page += 1) {
      const query = new URLSearchParams({ hook: type, name, page: String(page), size: '50' });
      const answer = await this.call('getAllEventHookFunctions', 'GET', `${FUNCTIONS}?${query}`, hookPageSchema);
      const found = answer.content.find((hook) => hook.name === name && hook.hook === type);
      if (found !== undefined) return found.id;
      if (answer.page === undefined || answer.content.length === 0 || page + 1 >= answer.page.totalPages) return undefined;
    }
    throw new AdminError(
      'bad_response',
      `Strivacity Admin API getAllEventHookFunctions: no hook "${name}" in ${MAX_PROBE_PAGES} pages, though the list claims more.`,
    );
  }

  /** The snippets of `type`; a 404 (the document lists one) is read as "none". */
  async snippets(type: string): Promise<Snippet[]> {
    try {
      return await this.call('getSnippets', 'GET', `${PLUGINS}/eventHookSnippets/${encodeURIComponent(type)}`, z.array(snippetSchema));
    } catch (error) {
      if (error instanceof AdminError && error.code === 'not_found') return [];
      throw error;
    }
  }

  /** The plugin library's integrations by id; undefined when this instance has no plugin library (404). */
  async integrations(): Promise<Record<string, ListedIntegration> | undefined> {
    try {
      return await this.call('getEventHooks', 'GET', `${PLUGINS}/eventHooks`, z.record(z.string(), listedIntegrationSchema));
    } catch (error) {
      if (error instanceof AdminError && error.code === 'not_found') return undefined;
      throw error;
    }
  }

  integration(id: string): Promise<Integration> {
    return this.call('getEventHookIntegration', 'GET', `${PLUGINS}/eventHooks/${encodeURIComponent(id)}`, integrationSchema);
  }

  private async call<T>(operation: string, method: AdminMethod, path: string, schema: z.ZodType<T>, body?: unknown): Promise<T> {
    try {
      return await this.client.request(operation, method, path, schema, body);
    } catch (error) {
      throw restated(operation, error);
    }
  }
}
