/**
 * Request and response schemas of the Strivacity Admin API operations that `dynamics-hook` uses,
 * written down by hand from Strivacity's published OpenAPI documents (as re-published in the public
 * repository api-evangelist/strivacity, `openapi/strivacity-lifecycle-event-hook-*-openapi.yml` and
 * `openapi/strivacity-authenticating-to-the-api-api-openapi.yml`; the descriptor and plugin-library
 * operations from `openapi/strivacity-lifecycle-event-hook-descriptor-api-openapi.yml` and
 * `openapi/strivacity-plugin-library-api-openapi.yml`, whose requests carry no body). Facts, not
 * a copy: only the fields and limits those documents state, in our words. Where they are ambiguous the choice is
 * said next to the schema.
 */

/** The 24 hook types of the published `hook` enum. */
export const HOOK_TYPES = [
  'DENY_AUTHENTICATION',
  'UNIDENTIFIED_USER',
  'POST_ACCOUNT_LOGIN',
  'POST_CONSENT_UPDATE',
  'POST_ID_PROOFING',
  'POST_IDENTIFICATION',
  'POST_MFA_FACTOR_CHANGE',
  'POST_REGISTRATION',
  'POST_EXTERNAL_LOGIN',
  'POST_TOKEN_REFRESH',
  'PRE_ID_PROOFING',
  'PRE_ID_TOKEN_GENERATION',
  'PRE_SAML2_ASSERTION_GENERATION',
  'PRE_PROGRESSIVE_PROFILING',
  'PRE_REGISTRATION',
  'PRE_PASSWORD',
  'PRE_PASSWORD_RESET',
  'PRE_MULTI_STAGE_REGISTRATION',
  'PRE_EXTERNAL_REGISTRATION',
  'PRE_AUTHENTICATOR_ENROLLMENT',
  'PRE_PASSWORD_PERSIST',
  'PRE_CONTACT_UPDATE',
  'POST_ACCOUNT_DELETION',
  'POST_ACCOUNT_UPDATE',
] as const;

/** Deployment status of a hook (`GET .../status`, `withStatus=true`). */
export const HOOK_STATUSES = ['ACTIVE', 'UPGRADING', 'UNHEALTHY', 'NOT_RUNNING', 'NON_DEPLOYED'] as const;

/** Hook code, stored or tried out: 1 to 256,000 characters. */
const code = { type: 'string', minLength: 1, maxLength: 256_000 };
/** Hook names: 3 to 64 characters of letters, digits, spaces inside and a few punctuation marks. */
const hookName = {
  type: 'string',
  minLength: 3,
  maxLength: 64,
  pattern: '^$|^[\\p{L}\\p{N}\\-.:\\/_(){}\\[\\]|&\'"?!@+*°]([\\p{L}\\p{N}\\-.:\\/_(){}\\[\\]|&\'"?!@+*° ]*[\\p{L}\\p{N}\\-.:\\/_(){}\\[\\]|&\'"?!@+*°])?$',
};
const packageDependencies = { type: 'object', additionalProperties: { type: 'string' } };

/**
 * A hook variable's default value. The published document lists five `oneOf` branches that overlap
 * (the base schema matches every branch), so a strict `oneOf` would refuse every value; written
 * here as one branch per `type`, with the fields each type states.
 */
const variableDefault = {
  oneOf: [
    { type: 'object', required: ['type'], properties: { type: { type: 'string', enum: ['noValue'] } } },
    {
      type: 'object',
      required: ['type', 'value'],
      properties: { type: { type: 'string', enum: ['staticVariable'] }, value: { type: 'string', maxLength: 8192 } },
    },
    {
      type: 'object',
      required: ['type'],
      properties: { type: { type: 'string', enum: ['staticSecret'] }, secretValue: { type: 'string', maxLength: 8192 } },
    },
    {
      type: 'object',
      required: ['type', 'value'],
      properties: { type: { type: 'string', enum: ['variableReference'] }, value: { type: 'string', maxLength: 36 } },
    },
  ],
};

const hookVariableUpsert = {
  type: 'object',
  required: ['default', 'name', 'type'],
  properties: {
    default: variableDefault,
    description: { type: 'string', maxLength: 1024 },
    name: { type: 'string', maxLength: 64, pattern: '^$|^[A-Za-z_][A-Za-z_0-9]*$' },
    required: { type: 'boolean' },
    type: { type: 'string', enum: ['variable', 'secret'] },
  },
};

/** Body of `POST /eventHooks/function` and `PUT /eventHooks/function/{id}` (the same fields). */
const hookWrite = {
  type: 'object',
  required: ['blocking', 'hook', 'name', 'packageDependencies'],
  properties: {
    blocking: { type: 'boolean' },
    code,
    description: { type: 'string', maxLength: 1024 },
    hook: { type: 'string', enum: HOOK_TYPES },
    id: { type: 'string' },
    name: hookName,
    packageDependencies,
    policyTag: { type: 'string', pattern: '^[a-z0-9_]{2,32}$' },
    requestBody: { type: 'string', minLength: 1, maxLength: 8000 },
    variables: { type: 'array', items: hookVariableUpsert },
  },
};

const fieldError = { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' }, objectName: { type: 'string' } } };

/** RFC 7807 problem, as every error answer of the Admin API carries it. */
const problem = {
  type: 'object',
  properties: {
    detail: { type: 'string' },
    entityName: { type: 'string' },
    errorKey: { type: 'string' },
    fieldErrors: { type: 'array', items: fieldError },
    message: { type: 'string' },
    path: { type: 'string' },
    status: { type: 'integer' },
    title: { type: 'string' },
  },
};

/** The token request form (`POST /oauth2/token`, client id and secret as HTTP Basic). */
const tokenForm = {
  type: 'object',
  required: ['grant_type', 'audience', 'scope'],
  properties: { grant_type: { type: 'string', enum: ['client_credentials'] }, audience: { type: 'string' }, scope: { type: 'string' } },
};

const tryOutCreate = { type: 'object', required: ['code'], properties: { code, packageDependencies } };
const tryOutCall = { type: 'object', required: ['code', 'requestBody'], properties: { code, packageDependencies, requestBody: { type: 'object' } } };

export const SCHEMAS = { HookWrite: hookWrite, Problem: problem, TokenForm: tokenForm, TryOutCreate: tryOutCreate, TryOutCall: tryOutCall };
