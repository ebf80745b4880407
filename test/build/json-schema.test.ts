/**
 * The committed JSON Schema refuses what `build` refuses, so an editor shows the mistake where it is
 * typed: each bad config below is refused by the zod schema (what build and the hook run) and by
 * the JSON Schema (what an editor runs), and the good ones pass both. The validator is ajv 8, the
 * one openapi-backend already brings (resolved from there: the project's own top-level ajv is 6,
 * which has no draft 2020-12).
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { configJsonSchema } from '../../src/build/json-schema.js';
import { configSchema } from '../../src/hook/config.js';
import { BASE_CONFIG } from '../support/helpers.js';

type Validate = ((value: unknown) => boolean) & { errors?: unknown };
const fromOpenapiBackend = createRequire(createRequire(import.meta.url).resolve('openapi-backend'));
const Ajv2020 = (fromOpenapiBackend('ajv/dist/2020') as { default: new (options: object) => { compile(schema: object): Validate } }).default;
const validate = new Ajv2020({ strict: false, allErrors: true }).compile(configJsonSchema());

const CERTIFICATE = { thumbprintSha256: 'a'.repeat(64), privateKeyVariable: 'DYNAMICS_CLIENT_KEY' };

const BAD: Array<[string, unknown]> = [
  ['an http:// environment URL', { ...BASE_CONFIG, dataverse: { url: 'http://contoso.crm4.dynamics.com' } }],
  ['a URL copied from the browser, with a path and a query', { ...BASE_CONFIG, dataverse: { url: 'https://contoso.crm4.dynamics.com/main.aspx?appid=1' } }],
  ['a URL with a user name and password', { ...BASE_CONFIG, dataverse: { url: 'https://user:pass@contoso.crm4.dynamics.com' } }],
  ['a URL that is no URL', { ...BASE_CONFIG, dataverse: { url: 'contoso.crm4.dynamics.com' } }],
  ['neither url nor organization', { ...BASE_CONFIG, dataverse: { apiVersion: '9.2' } }],
  ['both a secret variable and a certificate', { ...BASE_CONFIG, auth: { ...BASE_CONFIG.auth, clientCertificate: CERTIFICATE } }],
  ['no credential at all', { ...BASE_CONFIG, auth: { tenantId: BASE_CONFIG.auth.tenantId, clientId: BASE_CONFIG.auth.clientId } }],
  ['a repeated email field', { ...BASE_CONFIG, lookup: { emailFields: ['emailaddress1', 'emailaddress1'] } }],
  ['an unknown attribute path in enrich', { ...BASE_CONFIG, enrich: { 'name.givenNmae': 'firstname' } }],
  ['an attribute path that is no dotted path', { ...BASE_CONFIG, enrich: { 'name givenName': 'firstname' } }],
  ['a bare custom. prefix', { ...BASE_CONFIG, enrich: { 'custom.': 'new_tier' } }],
  ['an unknown attribute path in sync.columns', { ...BASE_CONFIG, sync: { columns: { firstname: 'name.first' } } }],
  ['an upper-case column', { ...BASE_CONFIG, enrich: { 'name.givenName': 'FirstName' } }],
  ['an unknown policy', { ...BASE_CONFIG, policy: { notFound: 'block' } }],
  ['a key the schema does not know', { ...BASE_CONFIG, lookup: { emailField: ['emailaddress1'] } }],
];

const GOOD: Array<[string, unknown]> = [
  ['the base config', BASE_CONFIG],
  ['an origin with a trailing slash and upper case', { ...BASE_CONFIG, dataverse: { url: 'HTTPS://Contoso.crm4.dynamics.com/' } }],
  ['an organization instead of a url', { ...BASE_CONFIG, dataverse: { organization: 'contoso' } }],
  [
    'a certificate instead of a secret',
    { ...BASE_CONFIG, auth: { tenantId: BASE_CONFIG.auth.tenantId, clientId: BASE_CONFIG.auth.clientId, clientCertificate: CERTIFICATE } },
  ],
  ['custom attributes', { ...BASE_CONFIG, enrich: { 'custom.loyaltyTier': 'new_tier' }, sync: { columns: { new_tier: 'custom.loyalty.tier' } } }],
];

describe('the JSON Schema and the zod schema', () => {
  it.each(BAD)('both refuse %s', (_name, config) => {
    expect(configSchema.safeParse(config).success).toBe(false);
    expect(validate(config)).toBe(false);
  });

  it.each(GOOD)('both accept %s', (_name, config) => {
    expect(configSchema.safeParse(config).success).toBe(true);
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
  });
});
