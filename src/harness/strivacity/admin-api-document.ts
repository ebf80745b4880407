/**
 * The OpenAPI document of the Strivacity Admin API operations that `dynamics-hook` calls: paths,
 * methods, parameters, request bodies with their content types, status codes and the scope each
 * operation requires. Written from the published documents (see `admin-api-schemas.ts`); the
 * stand-in validates every request against it, so a client request that the documents would not
 * allow is refused in the tests before it could be refused by a tenant.
 *
 * Written as OpenAPI 3.0.3 (the published files say 3.2.0, which no validator reads yet); the
 * content is unchanged by that.
 */
import { HOOK_TYPES, SCHEMAS } from './admin-api-schemas.js';

const ref = (name: keyof typeof SCHEMAS) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });
const problemAnswer = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
const pathId = (name: string, format?: string) => ({
  in: 'path',
  name,
  required: true,
  schema: { type: 'string', ...(format === undefined ? {} : { format }) },
});
const query = (name: string, schema: unknown) => ({ in: 'query', name, required: false, schema });
const paging = [
  query('page', { type: 'integer', minimum: 0 }),
  query('size', { type: 'integer', minimum: 1 }),
  query('sort', { type: 'array', items: { type: 'string' } }),
];

/** The errors every Admin API operation may answer, plus the operation's own. */
function answers(success: Record<string, unknown>, ...extra: Array<400 | 404 | 409>): Record<string, unknown> {
  const own: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 409: 'Conflict' };
  return {
    ...success,
    401: problemAnswer('Unauthorized'),
    403: problemAnswer('Forbidden'),
    ...Object.fromEntries(extra.map((status) => [status, problemAnswer(own[status] ?? '')])),
  };
}

const bearer = (scope: string) => [{ bearer: [scope] }];
const READ = bearer('read:config_event_hook');
const WRITE = bearer('write:config_event_hook');
const DELETE = bearer('delete:config_event_hook');
const LOGS = bearer('read:event_hook_log');
const ok = (description: string, schema: unknown = { type: 'object' }) => ({
  [description === 'Created' ? 201 : 200]: { description, content: { '*/*': { schema } } },
});

const HOOKS = '/admin/api/v1/eventHooks/function';
const PLUGINS = '/admin/api/v2/pluginLibrary';

export const ADMIN_API_DOCUMENT = {
  openapi: '3.0.3',
  info: { title: 'Strivacity Admin API: the operations dynamics-hook uses', version: 'v1' },
  paths: {
    '/oauth2/token': {
      post: {
        operationId: 'tokenpost',
        security: [{ basic: [] }],
        requestBody: { required: true, content: { 'application/x-www-form-urlencoded': { schema: ref('TokenForm') } } },
        responses: { 200: { description: 'Success', content: json({ type: 'object' }) } },
      },
    },
    [HOOKS]: {
      get: {
        operationId: 'getAllEventHookFunctions',
        security: READ,
        parameters: [
          query('hook', { type: 'string', enum: HOOK_TYPES }),
          query('name', { type: 'string' }),
          query('withStatus', { type: 'boolean' }),
          query('policyTags', { type: 'array', items: { type: 'string' } }),
          ...paging,
        ],
        responses: answers(ok('OK')),
      },
      post: {
        operationId: 'createEventHookFunction',
        security: WRITE,
        requestBody: { required: true, content: json(ref('HookWrite')) },
        responses: answers(ok('Created'), 400, 409),
      },
    },
    [`${HOOKS}/{id}`]: {
      get: { operationId: 'getEventHookFunctionById', security: READ, parameters: [pathId('id')], responses: answers(ok('OK'), 404) },
      put: {
        operationId: 'updateEventHookFunction',
        security: WRITE,
        parameters: [pathId('id')],
        requestBody: { required: true, content: json(ref('HookWrite')) },
        responses: answers(ok('OK'), 404, 409),
      },
      delete: {
        operationId: 'deleteEventHookFunction',
        security: DELETE,
        parameters: [pathId('id')],
        responses: answers({ 204: { description: 'No Content' } }, 409),
      },
    },
    [`${HOOKS}/{id}/deploy`]: {
      post: {
        operationId: 'deployEventHookFunction',
        security: WRITE,
        parameters: [pathId('id')],
        responses: answers({ 200: { description: 'OK', content: { 'text/plain': { schema: { type: 'string' } } } } }, 404),
      },
    },
    [`${HOOKS}/{id}/status`]: {
      get: { operationId: 'getEventHookFunctionStatusById', security: READ, parameters: [pathId('id')], responses: answers(ok('OK'), 404) },
    },
    [`${HOOKS}/{functionId}/test`]: {
      post: {
        operationId: 'createFunctionResource',
        security: WRITE,
        parameters: [pathId('functionId')],
        requestBody: { required: true, content: json(ref('TryOutCreate')) },
        responses: answers(ok('Created'), 400, 404),
      },
    },
    [`${HOOKS}/{functionId}/test/{id}`]: {
      delete: {
        operationId: 'deleteFunctionResource',
        security: DELETE,
        parameters: [pathId('functionId'), pathId('id', 'uuid')],
        responses: answers({ 204: { description: 'No Content' } }, 400),
      },
    },
    [`${HOOKS}/{functionId}/test/{id}/call`]: {
      post: {
        operationId: 'callFunctionResource',
        security: WRITE,
        parameters: [pathId('functionId'), pathId('id', 'uuid')],
        requestBody: { required: true, content: json(ref('TryOutCall')) },
        responses: answers(ok('OK'), 400, 404),
      },
    },
    // strivacity-lifecycle-event-hook-descriptor-api-openapi.yml: a bare array, no paging.
    '/admin/api/v1/eventHooks/descriptor': {
      get: { operationId: 'getAllEventHooks', security: READ, responses: answers(ok('OK', { type: 'array' })) },
    },
    // strivacity-plugin-library-api-openapi.yml: the event hook half (the journey half and the
    // categories also need read:config_journey, which dynamics-hook never asks for).
    [`${PLUGINS}/eventHookSnippets/{type}`]: {
      get: { operationId: 'getSnippets', security: READ, parameters: [pathId('type')], responses: answers(ok('OK', { type: 'array' }), 404) },
    },
    [`${PLUGINS}/eventHookSnippets/{type}/{id}`]: {
      get: { operationId: 'getSnippetCode', security: READ, parameters: [pathId('type'), pathId('id')], responses: answers(ok('OK'), 404) },
    },
    [`${PLUGINS}/eventHooks`]: {
      get: { operationId: 'getEventHooks', security: READ, responses: answers(ok('OK')) },
    },
    [`${PLUGINS}/eventHooks/{id}`]: {
      get: { operationId: 'getEventHookIntegration', security: READ, parameters: [pathId('id')], responses: answers(ok('OK'), 404) },
    },
    '/admin/api/v1/eventHooks/logs': {
      get: {
        operationId: 'getEventHookLogs',
        security: LOGS,
        parameters: [
          query('hookName', { type: 'string' }),
          ...['hookTypes', 'clientIds', 'identityStores', 'hookIds', 'accountIds', 'accountEventIds', 'logLevels'].map((name) =>
            query(name, { type: 'array', items: { type: 'string' } }),
          ),
          query('startDate', { type: 'string', format: 'date-time' }),
          query('endDate', { type: 'string', format: 'date-time' }),
          ...paging,
        ],
        responses: answers(ok('OK', { type: 'array' })),
      },
    },
    '/admin/api/v1/eventHooks/logs/{id}': {
      get: { operationId: 'getEventHookLogById', security: LOGS, parameters: [pathId('id')], responses: answers(ok('OK'), 404) },
    },
  },
  components: {
    schemas: SCHEMAS,
    securitySchemes: { basic: { type: 'http', scheme: 'basic' }, bearer: { type: 'http', scheme: 'bearer' } },
  },
};

/** The operation ids of the document: what the stand-in implements and the client may call. */
export type AdminOperationId =
  | 'tokenpost'
  | 'getAllEventHookFunctions'
  | 'createEventHookFunction'
  | 'getEventHookFunctionById'
  | 'updateEventHookFunction'
  | 'deleteEventHookFunction'
  | 'deployEventHookFunction'
  | 'getEventHookFunctionStatusById'
  | 'createFunctionResource'
  | 'deleteFunctionResource'
  | 'callFunctionResource'
  | 'getEventHookLogs'
  | 'getEventHookLogById'
  | 'getAllEventHooks'
  | 'getSnippets'
  | 'getSnippetCode'
  | 'getEventHooks'
  | 'getEventHookIntegration';
