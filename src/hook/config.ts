/**
 * The hook's configuration: one JSON document, validated with zod at build time and again when the
 * built hook loads. The schema is the single source of truth for the `Config` type. Secrets are
 * never part of it: the config names the variables that hold them.
 */
import { z } from 'zod';
import { attributePathProblem } from './attribute-paths.js';
import { describeIssues, plainMessage } from './config-issues.js';
import { configError } from './errors.js';
import { stampValue } from './stamp.js';
import { DEFAULT_MAX_VALUE_LENGTH } from './values.js';

/** A GUID in Dataverse's and Entra's textual form (any case; no `i` flag, which JSON Schema patterns lack). */
export const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** Strivacity variable names: `^[A-Za-z_][A-Za-z_0-9]*$` (hook `variables[].name` in the Admin API). */
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Dataverse logical column names are lower case. */
const COLUMN = /^[a-z][a-z0-9_]*$/;
/** A column a rule may name: a logical name, or a lookup's value column such as `_parentcustomerid_value`. */
const RULE_COLUMN = /^_?[a-z][a-z0-9_]*$/;
/** A path into the hook's arguments (`customer.info.userName`); the runtime's keys are camel or snake case. */
const ARGUMENT_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const LOCALE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

export const CLOUDS = ['public', 'usgov', 'china'] as const;
export type Cloud = (typeof CLOUDS)[number];

/** Entra authority host per cloud; msal-node ships metadata for these, so no discovery call is made. */
export const AUTHORITY_HOSTS: Record<Cloud, string> = {
  public: 'login.microsoftonline.com',
  usgov: 'login.microsoftonline.us',
  china: 'login.partner.microsoftonline.cn',
};

/** Why a Dataverse URL is unusable, or `undefined`; the text never repeats the URL. */
function dataverseUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be a URL such as https://contoso.crm4.dynamics.com';
  }
  if (url.protocol !== 'https:') return 'must use https, e.g. https://contoso.crm4.dynamics.com';
  if (url.username !== '' || url.password !== '') return 'must not contain a user name or password';
  // Copied from a browser, the URL often carries `/main.aspx?appid=...`: the scope needs the origin.
  if (url.search !== '' || url.hash !== '' || url.pathname !== '/') return 'use only the origin, e.g. https://contoso.crm4.dynamics.com';
  return undefined;
}

const httpsUrl = z
  .string()
  .superRefine((value, context) => {
    const problem = dataverseUrlProblem(value);
    if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
  })
  // Normalised to the origin (host lower case, no default port): the token scope is `<origin>/.default`.
  .transform((value) => new URL(value).origin);

/** An attribute path as `enrich` keys and `sync.columns` values name it; see attribute-paths.ts. */
const attributePath = z.string().superRefine((value, context) => {
  const problem = attributePathProblem(value);
  if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
});

const message = z.string().min(1).max(500);
/** What a locale may set: any of the four messages; a missing one comes from `en`, then the default. */
const messagesSchema = z.strictObject({
  notFound: message.optional().describe('no contact has this email'),
  multipleMatches: message.optional().describe('several contacts have this email'),
  invalidEmail: message.optional().describe('the email is not usable'),
  unavailable: message.optional().describe('the CRM or the token failed, or the deadline passed'),
  notEntitled: message.optional().describe('registration: the contact fails lookup.where'),
  loginNotFound: message.optional().describe('sign-in: no active contact has this email'),
  loginNotEntitled: message.optional().describe('sign-in: the contact fails lookup.where'),
  loginMultipleMatches: message.optional().describe('sign-in: several contacts have this email'),
  loginUnavailable: message.optional().describe('sign-in: the CRM or the token failed (login.onError showError)'),
});
type MessagesInput = z.output<typeof messagesSchema>;
export type Messages = { [Key in keyof z.output<typeof messagesSchema>]-?: string };

export const DEFAULT_MESSAGES: Messages = {
  notFound: 'We could not find your customer record. Please contact support to register.',
  multipleMatches: 'We could not verify your details. Please contact support to register.',
  invalidEmail: 'Please enter a valid email address.',
  unavailable: 'Registration is temporarily unavailable. Please try again in a few minutes.',
  notEntitled: 'Your customer record does not allow registration. Please contact support.',
  loginNotFound: 'We could not find an active customer record for this account. Please contact support.',
  loginNotEntitled: 'Your customer record does not allow signing in. Please contact support.',
  loginMultipleMatches: 'We could not verify your account. Please contact support.',
  loginUnavailable: 'Sign-in is temporarily unavailable. Please try again in a few minutes.',
};

/** Every locale completed from `en`, then from the defaults; `en` is always present afterwards. */
function completeMessages(messages: Record<string, MessagesInput>): Record<string, Messages> {
  const english: Messages = { ...DEFAULT_MESSAGES, ...definedOnly(messages['en'] ?? {}) };
  const completed: Record<string, Messages> = { en: english };
  for (const [locale, texts] of Object.entries(messages)) completed[locale] = { ...english, ...definedOnly(texts) };
  return completed;
}

function definedOnly(texts: MessagesInput): Partial<Messages> {
  return Object.fromEntries(Object.entries(texts).filter(([, text]) => text !== undefined)) as Partial<Messages>;
}

const allowShowDeny = z.enum(['allow', 'showError', 'deny']);

/** A value a rule accepts: what Dataverse returns for text, whole number, choice, yes/no and lookup columns. */
const ruleValue = z.union([z.string().max(500), z.number(), z.boolean(), z.null()]);

/**
 * Where the login gate reads the email, first valid one wins. `customer.info.userName` is what
 * Strivacity's published POST_IDENTIFICATION example reads; the others are guesses that cost nothing
 * when absent (research: lifecycle-hooks.md 1.1).
 */
export const DEFAULT_LOGIN_EMAIL_PATHS = [
  'customer.info.userName',
  'customer.info.emails.primaryEmail',
  'customer.info.email',
  'customer.attributes.emails.primaryEmail',
];
/**
 * Where the social sign-up hook (PRE_EXTERNAL_REGISTRATION) reads the email, first valid one wins.
 * Strivacity publishes no argument for that type; these assume the pre-registration shape (the
 * attribute the registration form fills), then an identifier (research: lifecycle-hooks.md 1.13).
 */
export const DEFAULT_EXTERNAL_REGISTRATION_EMAIL_PATHS = ['customer.attributes.emails.primaryEmail', 'customer.identifiers.email'];
/**
 * Where the account hooks (POST_ACCOUNT_UPDATE, POST_ACCOUNT_DELETION) read the email. Their
 * arguments are published nowhere (research: lifecycle-hooks.md 1.5, 1.7): the first paths are the
 * pre-registration shape, the others the post-identification one. An absent path costs nothing; a
 * run where none holds an email logs `contract_mismatch` with the argument's key paths.
 */
export const DEFAULT_ACCOUNT_EMAIL_PATHS = [
  'customer.attributes.emails.primaryEmail',
  'customer.info.emails.primaryEmail',
  'customer.info.email',
  'customer.info.userName',
];
/** Where the account hooks read the attributes object (`sync.columns`, `link.attribute`): assumed, as above. */
export const DEFAULT_ACCOUNT_ATTRIBUTE_PATHS = ['customer.attributes', 'customer.info.attributes', 'customer.info'];
/** Columns the deletion's action owns, or that identify the row: `deletion.setColumns` may not name them. */
const DELETION_RESERVED_COLUMNS = ['statecode', 'statuscode', 'contactid'];
/** What the post-registration hook does to a contact it did not create; see `updateExistingOf`. */
export const UPDATE_EXISTING = ['fillEmpty', 'overwrite', 'never'] as const;
export type UpdateExisting = (typeof UPDATE_EXISTING)[number];
/** A list of argument paths holding the email, as `login.emailPaths` and `externalRegistration.emailPaths` take it. */
const emailPaths = (defaults: readonly string[]) =>
  z
    .array(z.string().regex(ARGUMENT_PATH, 'must be a dotted path such as customer.info.userName'))
    .min(1)
    .max(10)
    .default([...defaults]);
const variableName = z.string().regex(VARIABLE_NAME, 'must be a variable name (letters, digits, _)');
const argumentPaths = (defaults: string[], description: string) =>
  z.array(z.string().regex(ARGUMENT_PATH, 'must be a dotted path such as customer.info.userName')).min(1).max(10).default(defaults).describe(description);

/**
 * The config. Each key's `.describe()` text is its one description: the config block comments, the
 * JSON Schema and the README check are generated from it. It is bundled into the pasted file, so
 * keep it short.
 */
export const configSchema = z.strictObject({
  $schema: z.string().optional().describe('JSON Schema for editors; ignored by the hook'),
  dataverse: z
    .strictObject({
      url: httpsUrl.optional().describe('environment URL, origin only (https://<org>.crm<n>.dynamics.com)'),
      organization: z
        .string()
        .regex(/^[a-zA-Z0-9][a-zA-Z0-9-]{0,62}$/, 'must be an organisation unique name')
        .optional()
        .describe('unique org name instead of url; the CLI resolves it, a built hook needs url'),
      apiVersion: z
        .string()
        .regex(/^\d+\.\d+$/, 'must look like 9.2')
        .default('9.2')
        .describe('Web API version'),
    })
    .refine((d) => d.url !== undefined || d.organization !== undefined, { message: 'set url (or organization, for the CLI)' })
    .describe('the Dataverse environment'),
  auth: z
    .strictObject({
      tenantId: z.string().regex(GUID, 'must be a GUID').describe('Entra tenant (directory) ID'),
      clientId: z.string().regex(GUID, 'must be a GUID').describe('app registration (client) ID; needs an Application User in the environment'),
      clientSecretVariable: variableName.optional().describe('name of the Strivacity secret holding the client secret value'),
      clientCertificate: z
        .strictObject({
          thumbprintSha256: z
            .string()
            .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (SHA-256)')
            .describe('SHA-256 thumbprint of the certificate on the app registration'),
          privateKeyVariable: variableName.describe('name of the Strivacity secret holding the PEM private key'),
        })
        .optional()
        .describe('a certificate instead of clientSecretVariable'),
      cloud: z.enum(CLOUDS).optional().describe('Entra cloud; derived from the url when absent'),
    })
    .refine((a) => (a.clientSecretVariable === undefined) !== (a.clientCertificate === undefined), {
      message: 'set exactly one of clientSecretVariable or clientCertificate',
    })
    .describe('the app registration the hook signs in as'),
  lookup: z
    .strictObject({
      emailFields: z
        .array(z.enum(['emailaddress1', 'emailaddress2', 'emailaddress3']))
        .min(1)
        .refine((fields) => new Set(fields).size === fields.length, 'must not repeat a field')
        .default(['emailaddress1'])
        .describe('contact columns matched against the email'),
      activeOnly: z.boolean().default(true).describe('true: only active contacts (statecode eq 0)'),
      where: z
        .record(
          z.string().regex(RULE_COLUMN, 'keys must be Dataverse column logical names'),
          z.union([ruleValue, z.array(ruleValue).min(1).max(50)]).describe('the value, or a list of values (any of)'),
        )
        .default({})
        .describe('entitlement: contact column -> value or list of values; every column must match'),
    })
    .prefault({})
    .describe('how the contact is found'),
  policy: z
    .strictObject({
      notFound: allowShowDeny.default('allow').describe('no contact has the email'),
      multipleMatches: z.enum(['allowMostRecent', 'showError', 'deny']).default('allowMostRecent').describe('several contacts have the email'),
      invalidEmail: allowShowDeny.default('showError').describe('the email is unusable (Dataverse is not asked)'),
      onError: allowShowDeny.default('showError').describe('token or Dataverse failure, timeout, invalid config'),
      notEntitled: allowShowDeny.default('showError').describe('a contact has the email but fails lookup.where'),
      timeoutMs: z.number().int().min(200).max(30_000).default(2500).describe('whole-hook deadline in ms: token + lookup + retries'),
      maxConcurrentRequests: z
        .number()
        .int()
        .min(1)
        .max(50)
        .default(10)
        .describe('Dataverse requests in flight per loaded hook (Dataverse allows 52 per user)'),
      maxValueLength: z
        .number()
        .int()
        .min(1)
        .max(1_048_576)
        .default(DEFAULT_MAX_VALUE_LENGTH)
        .describe('longest text copied from or written to Dataverse; longer values are left out and logged'),
    })
    .prefault({})
    .describe('what happens in each situation'),
  login: z
    .strictObject({
      emailPaths: argumentPaths(DEFAULT_LOGIN_EMAIL_PATHS, 'argument paths holding the email; the first valid one is used'),
      notFound: allowShowDeny.default('showError').describe('no active contact has the email (or the linked id)'),
      notEntitled: allowShowDeny.default('showError').describe('the contact fails lookup.where'),
      onError: allowShowDeny.default('allow').describe('token or Dataverse failure, throttling, timeout: allow keeps sign-in up'),
      timeoutMs: z.number().int().min(200).max(30_000).default(1500).describe('sign-in deadline in ms: token + lookup + retries'),
    })
    .prefault({})
    .describe('post-identification hook: the sign-in gate'),
  externalRegistration: z
    .strictObject({
      emailPaths: emailPaths(DEFAULT_EXTERNAL_REGISTRATION_EMAIL_PATHS).describe(
        'assumed argument paths holding the email; first valid wins, none: policy.onError',
      ),
    })
    .prefault({})
    .describe('pre-external-registration hook: the gate for social sign-up (decides by policy)'),
  // Read by the command line only (the hook never calls Strivacity): left out of every built file.
  strivacity: z
    .strictObject({
      url: z.string().optional().describe('the instance for probe, deploy, tryout and logs: https://<tenant>.strivacity.com'),
      hookNames: z.record(z.string(), z.string().min(3).max(64)).optional().describe('the hook name per kind, e.g. {"post-identification": "Sign-in gate"}'),
    })
    .optional()
    .describe('for the Strivacity commands; not part of the built hook'),
  link: z
    .strictObject({
      attribute: attributePath.optional().describe('registration attribute that keeps the contact id, e.g. custom.dynamicsContactId'),
    })
    .prefault({})
    .describe('the contact id kept on the account'),
  enrich: z
    .record(attributePath, z.string().regex(COLUMN, 'must be a Dataverse column logical name'))
    .default({})
    .describe('Strivacity attribute path -> Dataverse column, copied into the registration'),
  enrichOverwrite: z.boolean().default(false).describe('false: fill only empty attributes; true: the CRM value wins'),
  sync: z
    .strictObject({
      columns: z
        .record(z.string().regex(COLUMN, 'keys must be Dataverse column logical names'), attributePath)
        .optional()
        .describe('Dataverse column <- attribute path; default: enrich reversed'),
      createIfMissing: z.boolean().default(true).describe('create a contact when none has the email'),
      updateExisting: z
        .enum(UPDATE_EXISTING)
        .default('fillEmpty')
        .describe('an existing contact: fillEmpty writes only its empty columns, overwrite replaces, never skips it'),
    })
    .optional()
    .describe('post-registration and post-account-update hooks: what they write to Dataverse'),
  account: z
    .strictObject({
      emailPaths: argumentPaths(DEFAULT_ACCOUNT_EMAIL_PATHS, 'argument paths holding the email (assumed); the first valid one is used'),
      attributePaths: argumentPaths(DEFAULT_ACCOUNT_ATTRIBUTE_PATHS, 'argument paths of the attributes (assumed); the first object is used'),
    })
    .prefault({})
    .describe('account update and deletion hooks: where their unpublished arguments are read'),
  deletion: z
    .strictObject({
      action: z.enum(['deactivate', 'none']).default('deactivate').describe('deactivate: statecode 1, statuscode 2; none: log only; never a delete'),
      setColumns: z
        .record(
          z
            .string()
            .regex(COLUMN, 'keys must be Dataverse column logical names')
            .refine((column) => !DELETION_RESERVED_COLUMNS.includes(column), 'statecode, statuscode and contactid are set by the action'),
          stampValue,
        )
        .default({})
        .describe('column -> value stamped with the deactivation: $now, $today, $$text, text, number, bool, null'),
    })
    .refine((d) => d.action === 'deactivate' || Object.keys(d.setColumns).length === 0, { message: 'setColumns needs action deactivate' })
    .prefault({})
    .describe('post-account-deletion hook: what happens to the contact'),
  messages: z
    .record(z.string().regex(LOCALE, 'keys must be locales such as en or de-DE'), messagesSchema)
    .default({ en: DEFAULT_MESSAGES })
    .transform(completeMessages)
    .describe('shown to the person, by ui_locales; a missing text comes from en, then the default'),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info').describe('failures always log at error'),
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
  const inherited = inheritedObjectPath(raw, '');
  if (inherited !== undefined)
    throw configError('The hook configuration is invalid.', `${inherited || '(root)'}: must be plain data (a "__proto__" key in the console sets a prototype)`);
  const result = configSchema.safeParse(raw, { error: plainMessage });
  if (result.success) return result.data;
  throw configError('The hook configuration is invalid.', describeIssues(result.error.issues, configSchema));
}

/**
 * The path of the first object in `value` whose prototype is not a plain object's. In the pasted
 * block, `"__proto__": {...}` is not a key but sets the prototype, and zod reads inherited values:
 * such a setting would be obeyed while no unknown-key check could see it.
 */
function inheritedObjectPath(value: unknown, path: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = inheritedObjectPath(item, `${path}[${index}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (prototype !== Object.prototype && prototype !== null) return path;
  for (const [key, child] of Object.entries(value)) {
    const found = inheritedObjectPath(child, path === '' ? key : `${path}.${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** `parseConfig`, plus the guarantee that the Dataverse URL is set (the built hook needs it). */
export function parseResolvedConfig(raw: unknown): ResolvedConfig {
  const config = parseConfig(raw);
  if (config.dataverse.url === undefined) {
    throw configError('The hook configuration is invalid.', 'dataverse.url: required in a built hook (doctor resolves an organization to its url)');
  }
  return config as ResolvedConfig;
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

/**
 * `sync.updateExisting`, `fillEmpty` when the `sync` section is absent. The registrant may not own
 * the email they typed (Strivacity does not publish whether it is verified before "After
 * registration" runs), so by default the hook only completes an existing customer, never rewrites one.
 */
export function updateExistingOf(config: Config): UpdateExisting {
  return config.sync?.updateExisting ?? 'fillEmpty';
}
