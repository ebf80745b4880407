/**
 * The Strivacity commands' part of the command line's error model: `AdminError`, a `CliError` with a closed set of codes, each printed
 * as ONE line that names the cause and the fix. It is the operator tool's own type, apart from the
 * hook's `HookError` (whose codes describe a registration, not a tooling failure). Messages are
 * built from fixed text, the operation, the HTTP status and the API's `fieldErrors` (field names and
 * the API's validation text); never from a secret, a token or a response body we did not parse.
 */
import { z } from 'zod';
import { CliError } from '../errors.js';

export type AdminErrorCode =
  | 'credentials' // 401: the client id or secret is wrong, or the token was refused
  | 'scope' // 403: the API access policy does not grant a scope
  | 'not_found' // 404
  | 'gone' // 404/410 on a retired endpoint
  | 'conflict' // 409
  | 'invalid' // 400 with fieldErrors
  | 'server' // 5xx, after the retries that were safe
  | 'network' // connection refused, reset, DNS, TLS, timeout
  | 'redirect' // any 3xx: never followed
  | 'bad_response' // a 2xx whose body is not what the documents say
  | 'setup' // missing environment variable, bad --strivacity URL
  | 'deploy_failed' // the hook did not become ACTIVE
  | 'interrupted'; // SIGINT

/** A `CliError` of kind `api` (or `interrupted`), with the Admin API's failure class and status. */
export class AdminError extends CliError {
  override readonly name = 'AdminError';
  constructor(
    readonly code: AdminErrorCode,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(code === 'interrupted' ? 'interrupted' : 'api', message, options);
  }
}

/** The scope each operation needs, as the published documents name it (`REQUIRED API PERMISSION`). */
export const SCOPE_OF: Readonly<Record<string, string>> = {
  getAllEventHookFunctions: 'read:config_event_hook',
  getEventHookFunctionById: 'read:config_event_hook',
  getEventHookFunctionStatusById: 'read:config_event_hook',
  createEventHookFunction: 'write:config_event_hook',
  updateEventHookFunction: 'write:config_event_hook',
  deployEventHookFunction: 'write:config_event_hook',
  createFunctionResource: 'write:config_event_hook',
  callFunctionResource: 'write:config_event_hook',
  deleteFunctionResource: 'delete:config_event_hook',
  deleteEventHookFunction: 'delete:config_event_hook',
  getEventHookLogs: 'read:event_hook_log',
  getEventHookLogById: 'read:event_hook_log',
};

const problemSchema = z.looseObject({
  title: z.string().optional(),
  detail: z.string().optional(),
  errorKey: z.string().optional(),
  fieldErrors: z.array(z.looseObject({ field: z.string().optional(), message: z.string().optional() })).optional(),
});

const FIELD_TEXT = /^[\w./\- '"<>=:,()[\]]{1,200}$/;

/** `field: message; ...` from a problem's fieldErrors, keeping only plain validation text. */
function fieldErrorsOf(body: unknown): string {
  const parsed = problemSchema.safeParse(body);
  if (!parsed.success) return '';
  return (parsed.data.fieldErrors ?? [])
    .map((error) => {
      // A message about a secret field could quote the value we sent: only its name is printed.
      const message = error.field !== undefined && /secret/i.test(error.field) ? '(message withheld: it concerns a secret)' : error.message;
      return [error.field, message].filter((part): part is string => part !== undefined && FIELD_TEXT.test(part)).join(': ');
    })
    .filter((text) => text !== '')
    .join('; ');
}

/**
 * How an operation is named to the operator: its operationId from the published documents (what a
 * search of them finds), except the token request, whose id (`tokenpost`) says nothing.
 */
export function operationLabel(operation: string): string {
  return operation === 'tokenpost' ? 'token request (POST /oauth2/token)' : operation;
}

/** Translates an error answer of `operation` into one AdminError line with cause and fix. */
export function errorFromAnswer(operation: string, status: number, body: unknown): AdminError {
  const what = `Strivacity Admin API ${operationLabel(operation)} answered ${status}`;
  // The token endpoint's OAuth refusals (400/401) are read by `token-error.ts` before this.
  switch (status) {
    case 401:
      return new AdminError(
        'credentials',
        `${what}: the access token was not accepted. Check STRIVACITY_CLIENT_ID / STRIVACITY_CLIENT_SECRET and that --strivacity names the instance the client belongs to.`,
        status,
      );
    case 403: {
      const scope = SCOPE_OF[operation] ?? 'a scope';
      return new AdminError(
        'scope',
        `${what}: the client lacks the scope ${scope}. Grant it in the Strivacity console, in the API access policy that covers this client.`,
        status,
      );
    }
    case 404:
      return new AdminError(
        'not_found',
        `${what} (not found): the hook or resource does not exist (any more). Check --name and --hook, or run deploy to create the hook.`,
        status,
      );
    case 409:
      return new AdminError(
        'conflict',
        `${what} (conflict): a hook with this name exists with another type, or the hook is assigned and cannot be removed. Pick another --name or unassign it in the console.`,
        status,
      );
    case 400: {
      const fields = fieldErrorsOf(body);
      return new AdminError(
        'invalid',
        `${what} (bad request): ${fields === '' ? 'the API gave no field errors' : fields}. Fix the config or the file and run again.`,
        status,
      );
    }
    default:
      if (status >= 500)
        return new AdminError(
          'server',
          `${what}: Strivacity had a server error (retried where safe). Try again in a few minutes; if it persists, contact Strivacity support.`,
          status,
        );
      return new AdminError(
        'bad_response',
        `${what}, which the published documents do not describe. Run again with a newer dynamics-hook, or report it.`,
        status,
      );
  }
}
