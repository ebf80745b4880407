/**
 * A local stand-in of the Strivacity Admin API, on a loopback port, that behaves as the published
 * documents say: the token endpoint (HTTP Basic client credentials), hooks, deployment status,
 * try-out and event hook logs. Every request is first checked against the operations document with
 * openapi-backend (route, method, parameters, content type, body schema and limits) and refused
 * with 400 when it does not validate; each refusal is kept in `rejected`, so a test can assert
 * that the client never sent one. Faults (any status, or a dropped connection) can be injected per
 * operation.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Context, OpenAPIBackend } from 'openapi-backend';
import { ADMIN_API_DOCUMENT, type AdminOperationId } from './admin-api-document.js';
import { type Answer, problem, StandInState, type StateOptions } from './stand-in-state.js';

/** An injected failure: the next `times` calls of `operationId` answer `status` (or drop the connection). */
export interface Fault {
  readonly operationId: AdminOperationId;
  readonly status: number | 'reset';
  readonly times?: number;
  readonly body?: Record<string, unknown>;
}

export interface AdminStandInOptions extends StateOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Scopes the API access policy grants this client (default: every scope the document names). */
  readonly grantedScopes?: readonly string[];
  /**
   * How the token endpoint answers a request for a scope the policy does not grant: `subset` (the
   * default) grants the others and lists them in `scope`; `refuse` answers 400 `invalid_scope`
   * (RFC 6749 section 5.2). Both are allowed by the RFC; the published document does not say which.
   */
  readonly ungrantedScope?: 'subset' | 'refuse';
  readonly faults?: Fault[];
  /** Answer the log endpoints with 404 or 410, as retired legacy endpoints do. */
  readonly retiredLogs?: 404 | 410;
  /** The loopback port to listen on (default 0: a free one). */
  readonly port?: number;
}

export interface AdminStandIn {
  /** `http://127.0.0.1:<port>`: the `--strivacity` URL for the client. */
  readonly url: string;
  readonly state: StandInState;
  /** Each request that reached an operation, in order. */
  readonly requests: Array<{ operationId: string; method: string; path: string }>;
  /** Requests refused because they do not validate against the document. */
  readonly rejected: Array<{ method: string; path: string; errors: string[] }>;
  /** Faults still to be injected; a test may push more. */
  readonly faults: Fault[];
  /**
   * The access policy and the log endpoints, changeable between requests; `onOperation` is told of
   * each request that reached an operation, before it is answered (a test interrupts a client there).
   */
  readonly settings: {
    grantedScopes?: readonly string[];
    ungrantedScope?: 'subset' | 'refuse';
    retiredLogs?: 404 | 410;
    onOperation?: (operationId: AdminOperationId) => void;
  };
  close(): Promise<void>;
}

export const ALL_SCOPES = ['read:config_event_hook', 'write:config_event_hook', 'delete:config_event_hook', 'read:event_hook_log'] as const;

interface Reply {
  readonly answer: Answer;
}

/** Starts the stand-in on a free loopback port. */
export async function startAdminStandIn(options: AdminStandInOptions): Promise<AdminStandIn> {
  const state = new StandInState(options);
  const tokens = new Map<string, readonly string[]>();
  const requests: AdminStandIn['requests'] = [];
  const rejected: AdminStandIn['rejected'] = [];
  const faults = [...(options.faults ?? [])];
  /** The instance's URL, known once listening: the token request's `audience` must be it. */
  let url = '';
  const settings: AdminStandIn['settings'] = {
    ...(options.grantedScopes === undefined ? {} : { grantedScopes: options.grantedScopes }),
    ...(options.ungrantedScope === undefined ? {} : { ungrantedScope: options.ungrantedScope }),
    ...(options.retiredLogs === undefined ? {} : { retiredLogs: options.retiredLogs }),
  };

  const api = new OpenAPIBackend({
    definition: structuredClone(ADMIN_API_DOCUMENT) as never,
    strict: true,
    coerceTypes: true,
    // openapi-backend ships no formats: the two the documents use, added here.
    customizeAjv: (ajv) =>
      ajv
        .addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i)
        .addFormat('date-time', { validate: (value: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) }),
  });
  api.registerSecurityHandler('basic', (context: Context) => basicCredentials(context) === `${options.clientId}:${options.clientSecret}`);
  api.registerSecurityHandler('bearer', (context: Context) => tokens.get(bearerToken(context)) ?? false);
  api.register({
    notFound: () => ({ answer: problem(404, 'Not Found', 'No such path.') }),
    methodNotAllowed: () => ({ answer: problem(405, 'Method Not Allowed', 'No such operation.') }),
    validationFail: (context: Context) => {
      const errors = (context.validation.errors ?? []).map((error) => `${error.instancePath || '(request)'} ${error.message ?? ''}`.trim());
      rejected.push({ method: context.request.method.toUpperCase(), path: context.request.path, errors });
      const fieldErrors = errors.map((message) => ({ field: message.split(' ')[0], message, objectName: context.operation.operationId }));
      return { answer: problem(400, 'Bad Request', 'The request does not match the documented operation.', { errorKey: 'validation', fieldErrors }) };
    },
    unauthorizedHandler: (context: Context) =>
      context.operation.operationId === 'tokenpost'
        ? { answer: { status: 401, body: { error: 'invalid_client', error_description: 'Client authentication failed.' } } }
        : { answer: problem(401, 'Unauthorized', 'Full authentication is required to access this resource.') },
  });
  for (const operationId of documentedOperations()) {
    api.register(operationId, async (context: Context): Promise<Reply | 'reset'> => {
      requests.push({ operationId, method: context.request.method.toUpperCase(), path: context.request.path });
      settings.onOperation?.(operationId);
      const fault = faults.find((candidate) => candidate.operationId === operationId);
      if (fault !== undefined) {
        if (fault.times === undefined || fault.times <= 1) faults.splice(faults.indexOf(fault), 1);
        else Object.assign(fault, { times: fault.times - 1 });
        if (fault.status === 'reset') return 'reset';
        return { answer: problem(fault.status, 'Injected', 'An injected failure.', fault.body ?? {}) };
      }
      if (operationId === 'tokenpost')
        return { answer: issueToken(context, url, settings.grantedScopes ?? ALL_SCOPES, settings.ungrantedScope ?? 'subset', tokens) };
      const scope = requiredScope(context);
      const granted = context.security['bearer'] as readonly string[];
      if (scope !== undefined && !granted.includes(scope)) return { answer: problem(403, 'Forbidden', 'Access is denied.') };
      if (settings.retiredLogs !== undefined && operationId.startsWith('getEventHookLog'))
        return { answer: problem(settings.retiredLogs, settings.retiredLogs === 410 ? 'Gone' : 'Not Found', 'This endpoint was retired.') };
      const params = context.request.params as Record<string, string>;
      return { answer: await state.handle(operationId, params, context.request.query as Record<string, unknown>, context.request.requestBody) };
    });
  }
  await api.init();

  const server = createServer((req, res) => {
    void serve(api, req, res);
  });
  // A port in use fails the start (EADDRINUSE) instead of leaving it waiting forever.
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(options.port ?? 0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    state,
    requests,
    rejected,
    faults,
    settings,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function serve(api: OpenAPIBackend, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const raw = await readBody(req);
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const request = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers as Record<string, string>, body: parseBody(raw, contentType) };
  const operation = api.matchOperation(request);
  const declared = Object.keys((operation?.requestBody as { content?: object } | undefined)?.content ?? {});
  // openapi-backend validates the body's schema, not its media type: checked here.
  if (operation !== undefined && (declared.length > 0 ? !declared.includes(contentType) : raw.length > 0)) {
    write(res, problem(415, 'Unsupported Media Type', `Expected ${declared.join(' or ') || 'no body'}.`));
    return;
  }
  const reply = (await api.handleRequest(request)) as Reply | 'reset';
  if (reply === 'reset') {
    req.socket.destroy();
    return;
  }
  write(res, reply.answer);
}

function write(res: ServerResponse, answer: Answer): void {
  if (answer.body === undefined) {
    res.writeHead(answer.status).end();
    return;
  }
  const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
  res.writeHead(answer.status, { 'content-type': answer.contentType ?? 'application/json' }).end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(raw: string, contentType: string): unknown {
  if (raw === '') return undefined;
  if (contentType === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(raw));
  if (contentType === 'application/json') {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return raw;
    }
  }
  return raw;
}

function documentedOperations(): AdminOperationId[] {
  return Object.values(ADMIN_API_DOCUMENT.paths).flatMap((item) =>
    Object.values(item).map((operation) => (operation as { operationId: AdminOperationId }).operationId),
  );
}

function header(context: Context, name: string): string {
  const value = (context.request.headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}

function basicCredentials(context: Context): string {
  const [scheme, value] = header(context, 'authorization').split(' ');
  return scheme?.toLowerCase() === 'basic' && value !== undefined ? Buffer.from(value, 'base64').toString('utf8') : '';
}

function bearerToken(context: Context): string {
  const [scheme, value] = header(context, 'authorization').split(' ');
  return scheme?.toLowerCase() === 'bearer' && value !== undefined ? value : '';
}

function requiredScope(context: Context): string | undefined {
  const security = context.operation.security as Array<Record<string, string[]>> | undefined;
  return security?.[0]?.['bearer']?.[0];
}

/** Grants the requested scopes that the client's API access policy allows (others are dropped, or refused). */
function issueToken(
  context: Context,
  audience: string,
  allowed: readonly string[],
  ungranted: 'subset' | 'refuse',
  tokens: Map<string, readonly string[]>,
): Answer {
  const form = context.request.requestBody as { scope: string; audience: string };
  if (form.audience !== audience) return { status: 400, body: { error: 'invalid_request', error_description: 'audience must be the tenant URL.' } };
  const requested = form.scope.split(' ').filter(Boolean);
  if (ungranted === 'refuse' && requested.some((scope) => !allowed.includes(scope)))
    return {
      status: 400,
      body: { error: 'invalid_scope', error_description: 'The requested scope is invalid, unknown, or exceeds what the client was granted.' },
    };
  const scopes = requested.filter((scope) => allowed.includes(scope));
  const token = randomBytes(24).toString('base64url');
  tokens.set(token, scopes);
  return { status: 200, body: { access_token: token, expires_in: 3599, scope: scopes.join(' '), token_type: 'bearer' } };
}
