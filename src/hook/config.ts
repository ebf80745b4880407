/**
 * The hook's configuration: one JSON document, validated with zod at build time and again when the
 * built hook loads. The schema is the single source of truth for the `Config` type. Secrets are
 * never part of it: the config names the variables that hold them.
 */
import { z } from 'zod';
import { configError } from './errors.js';
import { DEFAULT_MAX_VALUE_LENGTH } from './values.js';

/** A GUID in Dataverse's and Entra's textual form (any case). */
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Strivacity variable names: `^[A-Za-z_][A-Za-z_0-9]*$` (hook `variables[].name` in the Admin API). */
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Strivacity attribute paths such as `name.givenName` or `addresses.primary.city`. */
const ATTRIBUTE_PATH = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/;
/** Dataverse logical column names are lower case. */
const COLUMN = /^[a-z][a-z0-9_]*$/;
const LOCALE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

export const CLOUDS = ['public', 'usgov', 'china'] as const;
export type Cloud = (typeof CLOUDS)[number];

/** Entra authority host per cloud; msal-node ships metadata for these, so no discovery call is made. */
export const AUTHORITY_HOSTS: Record<Cloud, string> = {
  public: 'login.microsoftonline.com',
  usgov: 'login.microsoftonline.us',
  china: 'login.partner.microsoftonline.cn',
};

const httpsUrl = z
  .string()
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'https:' && url.username === '' && url.password === '' && url.search === '' && url.hash === '';
    } catch {
      return false;
    }
  }, 'must be an https URL without credentials, query or fragment')
  // Normalised to the origin: the token scope is `<origin>/.default`.
  .transform((value) => new URL(value).origin);

const messagesSchema = z.strictObject({
  notFound: z.string().min(1).max(500),
  multipleMatches: z.string().min(1).max(500),
  invalidEmail: z.string().min(1).max(500),
  unavailable: z.string().min(1).max(500),
});
export type Messages = z.infer<typeof messagesSchema>;

export const DEFAULT_MESSAGES: Messages = {
  notFound: 'We could not find your customer record. Please contact support to register.',
  multipleMatches: 'We could not verify your details. Please contact support to register.',
  invalidEmail: 'Please enter a valid email address.',
  unavailable: 'Registration is temporarily unavailable. Please try again in a few minutes.',
};

const allowShowDeny = z.enum(['allow', 'showError', 'deny']);

export const configSchema = z.strictObject({
  dataverse: z
    .strictObject({
      url: httpsUrl.optional(),
      organization: z
        .string()
        .regex(/^[a-z0-9][a-z0-9-]{0,62}$/i, 'must be an organisation unique name')
        .optional(),
      apiVersion: z
        .string()
        .regex(/^\d+\.\d+$/, 'must look like 9.2')
        .default('9.2'),
    })
    .refine((d) => d.url !== undefined || d.organization !== undefined, { message: 'set url (or organization, for the CLI)' }),
  auth: z
    .strictObject({
      tenantId: z.string().regex(GUID, 'must be a GUID'),
      clientId: z.string().regex(GUID, 'must be a GUID'),
      clientSecretVariable: z.string().regex(VARIABLE_NAME, 'must be a variable name').optional(),
      clientCertificate: z
        .strictObject({
          thumbprintSha256: z.string().regex(/^[0-9a-f]{64}$/i, 'must be 64 hex characters (SHA-256)'),
          privateKeyVariable: z.string().regex(VARIABLE_NAME, 'must be a variable name'),
        })
        .optional(),
      cloud: z.enum(CLOUDS).optional(),
    })
    .refine((a) => (a.clientSecretVariable === undefined) !== (a.clientCertificate === undefined), {
      message: 'set exactly one of clientSecretVariable or clientCertificate',
    }),
  lookup: z
    .strictObject({
      emailFields: z
        .array(z.enum(['emailaddress1', 'emailaddress2', 'emailaddress3']))
        .min(1)
        .refine((fields) => new Set(fields).size === fields.length, 'must not repeat a field')
        .default(['emailaddress1']),
      activeOnly: z.boolean().default(true),
    })
    .prefault({}),
  policy: z
    .strictObject({
      notFound: allowShowDeny.default('allow'),
      multipleMatches: z.enum(['allowMostRecent', 'showError', 'deny']).default('allowMostRecent'),
      invalidEmail: allowShowDeny.default('showError'),
      onError: allowShowDeny.default('showError'),
      /** Whole-hook deadline in ms: token + lookup + retries + backoff. */
      timeoutMs: z.number().int().min(200).max(30_000).default(2500),
      /** Dataverse requests in flight per loaded hook; Dataverse allows 52 per user. */
      maxConcurrentRequests: z.number().int().min(1).max(50).default(10),
      /**
       * Longest text value, in characters, that `enrich` copies from Dataverse or `sync` writes to it;
       * a longer one is left out and its column named in the log. Raise it only for multi-line columns.
       */
      maxValueLength: z.number().int().min(1).max(1_048_576).default(DEFAULT_MAX_VALUE_LENGTH),
    })
    .prefault({}),
  enrich: z
    .record(z.string().regex(ATTRIBUTE_PATH, 'keys must be attribute paths'), z.string().regex(COLUMN, 'must be a Dataverse column logical name'))
    .default({}),
  enrichOverwrite: z.boolean().default(false),
  sync: z
    .strictObject({
      columns: z
        .record(z.string().regex(COLUMN, 'keys must be Dataverse column logical names'), z.string().regex(ATTRIBUTE_PATH, 'must be an attribute path'))
        .optional(),
      createIfMissing: z.boolean().default(true),
    })
    .optional(),
  messages: z
    .record(z.string().regex(LOCALE, 'keys must be locales such as en or de-DE'), messagesSchema)
    .refine((m) => m['en'] !== undefined, 'must have an "en" entry')
    .default({ en: DEFAULT_MESSAGES }),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  $schema: z.string().optional(), // the JSON Schema reference that `dynamics-hook init` writes, for editors; the hook ignores it
});

/** The config as written by an administrator (defaults not yet applied). */
export type ConfigInput = z.input<typeof configSchema>;
/** The config with every default applied. */
export type Config = z.output<typeof configSchema>;
/** A config whose Dataverse URL is known: what a built hook carries. */
export type ResolvedConfig = Config & { dataverse: Config['dataverse'] & { url: string } };

/**
 * Validates a config. Throws a `HookError` with code `config` whose diagnostic lists every bad key
 * by path; values are never echoed (a misplaced secret must not end up in a log).
 */
export function parseConfig(raw: unknown): Config {
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  throw configError('The hook configuration is invalid.', formatIssues(result.error.issues));
}

/** `parseConfig`, plus the guarantee that the Dataverse URL is set (the built hook needs it). */
export function parseResolvedConfig(raw: unknown): ResolvedConfig {
  const config = parseConfig(raw);
  if (config.dataverse.url === undefined) {
    throw configError('The hook configuration is invalid.', 'dataverse.url: required in a built hook (doctor resolves an organization to its url)');
  }
  return config as ResolvedConfig;
}

function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const path = issue.path.map(String).join('.') || '(root)';
      // Unknown keys are reported by name; zod's other messages never include the value. A bad
      // record key's own message ("keys must be ...") sits in the nested issues, not in the issue.
      if (issue.code === 'unrecognized_keys') return `${path}: unknown key(s) ${issue.keys.join(', ')}`;
      if (issue.code === 'invalid_key') return `${path}: ${issue.issues.map((nested) => nested.message).join(', ')}`;
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}

/** Cloud from the config, else derived from the Dataverse host (GCC High, DoD, China). */
export function cloudOf(config: Config): Cloud {
  if (config.auth.cloud !== undefined) return config.auth.cloud;
  const host = config.dataverse.url === undefined ? '' : new URL(config.dataverse.url).hostname;
  if (host.endsWith('.dynamics.cn')) return 'china';
  if (host.endsWith('.microsoftdynamics.us') || host.endsWith('.appsplatform.us')) return 'usgov';
  return 'public';
}

export function authorityOf(config: Config): string {
  return `https://${AUTHORITY_HOSTS[cloudOf(config)]}/${config.auth.tenantId}`;
}

/** Dataverse columns that `sync` writes: `sync.columns`, else `enrich` reversed. */
export function syncColumnsOf(config: Config): Record<string, string> {
  if (config.sync?.columns !== undefined) return config.sync.columns;
  return Object.fromEntries(Object.entries(config.enrich).map(([path, column]) => [column, path]));
}
