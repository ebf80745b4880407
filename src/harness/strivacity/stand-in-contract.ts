/**
 * What the Admin API stand-in says about hook types: the descriptor, the code and sample
 * `requestBody` a hook gets when it is created without `code` ("if not specified it's generated
 * automatically for each type", strivacity-lifecycle-event-hook-api-openapi.yml), and the plugin
 * library's snippets and integrations. The SHAPES of these answers are published; little of their
 * CONTENT is, so each part says where it comes from:
 *
 * - From published example code, in our own words (not copies): the arguments, callback
 *   parameters and result classes of PRE_REGISTRATION (Strivacity/integrations
 *   `hooks/<crm>/pre-registration.hook.js`), POST_IDENTIFICATION
 *   (`hooks/seczetta/post-identification.hook.js`, and the comment block of a vendor copy that
 *   looks like the generated default) and POST_ACCOUNT_LOGIN (`hooks/slack/post-account-login.hook.js`).
 * - INVENTED: the templates and sample bodies of the 21 other types (a common core of
 *   `application`, `customer` and `session`, and a result class named `StandInResult` so that
 *   nobody mistakes it for a Strivacity name); every descriptor row's `blocking` and `target`
 *   (Strivacity publishes the fields, not the value per type: these follow a third-party summary's
 *   sync/async column, see ../shared/research/lifecycle-hooks.md section 1.14); and the whole
 *   plugin library content (snippet names, the integrations, the Dynamics template's code).
 */
import { postIdentificationPayload } from '../../build/kinds/post-identification.js';
import { registrationPayload } from '../../build/kinds/pre-registration.js';
import { HOOK_TYPES } from './admin-api-schemas.js';

export interface DescriptorRow {
  readonly name: string;
  readonly blocking: string;
  readonly target: string;
}

export interface GeneratedHook {
  readonly code: string;
  /** The sample argument object, as the API carries it: a string (at most 8,000 characters). */
  readonly requestBody: string;
}

export interface Snippet {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly code: string;
  readonly packageDependencies: Record<string, string>;
}

export interface Integration {
  readonly displayName: string;
  readonly summary: string;
  readonly description: string;
  readonly maintainer: string;
  readonly logoUrl: string;
  readonly categories: readonly string[];
  /** Keyed by hook type here; what the published map is keyed by is not documented. */
  readonly hooks: Record<string, { name: string; code: string; packageDependencies: Record<string, string> }>;
}

/** Everything above, replaceable per test (`StateOptions.contract`). */
export interface ContractWorld {
  readonly descriptor: readonly DescriptorRow[];
  readonly generated: (type: string) => GeneratedHook;
  readonly snippets: Readonly<Record<string, readonly Snippet[]>>;
  readonly integrations: Readonly<Record<string, Integration>>;
}

/** INVENTED values, third-party-informed: the "asynchronous" types of the summary are `NO`. */
const NON_BLOCKING = new Set(['POST_ACCOUNT_LOGIN', 'POST_CONSENT_UPDATE', 'POST_MFA_FACTOR_CHANGE', 'POST_ACCOUNT_UPDATE', 'POST_ACCOUNT_DELETION']);
/** INVENTED: the account-level events, which may have no application (an inference in the research note). */
const IDENTITY_STORE = new Set(['POST_ACCOUNT_UPDATE', 'POST_ACCOUNT_DELETION', 'PRE_CONTACT_UPDATE']);

const DESCRIPTOR: readonly DescriptorRow[] = HOOK_TYPES.map((name) => ({
  name,
  // POST_REGISTRATION: the project's post-registration hook is deployed non-blocking, the summary says
  // synchronous; a type whose author chooses is the case USER_DEFINED describes.
  blocking: name === 'POST_REGISTRATION' ? 'USER_DEFINED' : NON_BLOCKING.has(name) ? 'NO' : 'YES',
  target: IDENTITY_STORE.has(name) ? 'identityStore' : 'application',
}));

type Param = readonly [type: string, path: string, what: string];

/** The argument core seen in all three published signatures. */
const CORE: readonly Param[] = [
  ['Object', 'application', 'the application the customer uses'],
  ['string', 'application.name', 'its name'],
  ['string', 'application.client_id', 'its OAuth client id'],
  ['Object', 'oidc_context', 'the OpenID Connect request that started the flow'],
  ['string[]', 'oidc_context.acr_values', 'requested ACR values'],
  ['string[]', 'oidc_context.ui_locales', 'requested UI locales'],
  ['Object', 'customer', 'the customer'],
  ['string', 'customer.ip_address', 'client IP (X-Forwarded-For)'],
  ['string', 'customer.store', 'the identity store'],
  ['string', 'customer.location.city', 'city'],
  ['string', 'customer.location.country_code', 'country code'],
];
const CONTINUE: readonly Param[] = [
  ['Object', 'session', 'session store, passed back in every answer'],
  ['Object', 'continue_context', 'set when the flow comes back from a redirect'],
  ['string', 'continue_request_parameters.callback_url', 'where to return after a redirect'],
  ['string', 'continue_request_parameters.state', 'state to return after a redirect'],
];

type Callback = readonly [type: string, name: string];

function jsdoc(summary: string, params: readonly Param[], callbacks: readonly Callback[]): string {
  const lines = [
    ...params.map(([type, path, what]) => `@param {${type}} args.${path} ${what}`),
    ...callbacks.map(([type, name]) => `@param {${type}} ${name}`),
  ];
  return ['/**', ` * ${summary}`, ' *', ' * @param {Object} args', ...lines.map((line) => ` * ${line}`), ' */'].join('\n');
}

function globalNote(name: string, params: string): string {
  return `/** ${name} is a global object of the runtime: new ${name}(${params}) */`;
}

/** From the published pre-registration examples: a blocking hook that answers with one of three classes or denies. */
function preRegistrationCode(): string {
  return [
    jsdoc(
      'Called before an account is registered; Strivacity waits for the answer.',
      [
        ...CORE,
        ['Object', 'customer.attributes', 'attributes typed at registration'],
        ['Object', 'customer.identifiers', 'identifiers typed at registration'],
        ['Object[]', 'customer.consents', 'consents accepted at registration'],
        ...CONTINUE,
      ],
      [
        ['registrationCallback', 'callback'],
        ['denyCallback', 'error'],
      ],
    ),
    'module.exports = async function ({ application, oidc_context, customer, session, continue_context, continue_request_parameters }, callback, error) {',
    '  // implement your logic here',
    '  callback(new RegistrationData(customer.attributes, [], session));',
    '};',
    '',
    '/** @callback registrationCallback\n * @param {RegistrationData|RedirectRequest|ShowErrorMessage} result\n */',
    '/** @callback denyCallback\n * @param {ErrorDenyRequest} reason\n */',
    '',
    'class RegistrationData {',
    '  constructor(attributes, additionalAuthenticators, session) {',
    '    this.attributes = attributes;',
    '    this.additionalAuthenticators = additionalAuthenticators;',
    '    this.session = session;',
    '  }',
    '}',
    '',
    'class AdditionalAuthenticator {',
    '  constructor(type, target) {',
    '    this.type = type;',
    '    this.target = target;',
    '  }',
    '}',
    '',
    globalNote('RedirectRequest', 'redirect_url, session'),
    globalNote('ShowErrorMessage', 'error_message, session'),
    globalNote('ErrorDenyRequest', 'description, hint'),
    '',
  ].join('\n');
}

/** From the published post-identification example and the comment block of a vendor copy of the default. */
function postIdentificationCode(): string {
  return [
    jsdoc(
      'Called after the customer gave an identifier, before any authentication factor; Strivacity waits for the answer.',
      [
        ...CORE,
        ['Object', 'customer.info', 'what is stored about the customer'],
        ['string', 'customer.info.id', 'the customer id'],
        ['Object[]', 'customer.groups', 'the groups the customer is in'],
        ['Object[]', 'authenticators', 'enrolled authenticators'],
        ['string[]', 'requested_scopes', 'scopes of the OIDC request'],
        ...CONTINUE,
      ],
      [
        ['postIdentificationCallback', 'callback'],
        ['denyCallback', 'error'],
      ],
    ),
    'module.exports = async function ({ application, oidc_context, customer, authenticators, requested_scopes, session, continue_context, continue_request_parameters }, callback, error) {',
    '  // implement your logic here',
    '  // allow:      callback(new AllowAuthentication(session));',
    '  // deny:       error(new ErrorDenyRequest("description", "hint"));',
    '  // show error: callback(new ShowErrorMessage("shown in the browser", session));',
    '  callback(new AllowAuthentication(session));',
    '};',
    '',
    '/** @callback postIdentificationCallback\n * @param {AllowAuthentication|RedirectRequest|ShowErrorMessage} result\n */',
    '/** @callback denyCallback\n * @param {ErrorDenyRequest} reason\n */',
    '',
    'class AllowAuthentication {',
    '  constructor(session, allowRememberedAuthenticators = true, authenticatorsToIgnore = []) {',
    "    this.authentication = 'ALLOW';",
    '    this.session = session;',
    '    this.allowRememberedAuthenticators = allowRememberedAuthenticators;',
    '    this.authenticatorsToIgnore = authenticatorsToIgnore;',
    '  }',
    '}',
    '',
    globalNote('RedirectRequest', 'redirect_url, session'),
    globalNote('ShowErrorMessage', 'error_message, session'),
    globalNote('ErrorDenyRequest', 'description, hint'),
    '',
  ].join('\n');
}

/** From the published post-account-login examples: not blocking, no callback parameters at all. */
function postAccountLoginCode(): string {
  return [
    jsdoc(
      'Called after a successful login; Strivacity does not wait.',
      [...CORE, ['string', 'customer.info.userName', 'the user name'], ['Object', 'session', 'session store']],
      [],
    ),
    'module.exports = async function ({ application, oidc_context, customer, session }) {',
    '  // implement your logic here',
    '};',
    '',
  ].join('\n');
}

/** INVENTED for every other type: a callback (when blocking is not NO) and the invented class `StandInResult`. */
function inventedCode(type: string, blocking: boolean): string {
  const params: readonly Param[] = [
    ['Object', 'application', 'the application the customer uses'],
    ['string', 'application.name', 'its name'],
    ['Object', 'customer', 'the customer'],
    ['string', 'customer.store', 'the identity store'],
    ['Object', 'session', 'session store'],
  ];
  return [
    "// dynamics-hook stand-in: an INVENTED template, not Strivacity's (its arguments are not published).",
    jsdoc(`Called at ${type}.`, params, blocking ? [['standInCallback', 'callback']] : []),
    `module.exports = async function ({ application, customer, session }${blocking ? ', callback' : ''}) {`,
    '  // implement your logic here',
    ...(blocking ? ['  callback(new StandInResult(session));'] : []),
    '};',
    '',
    ...(blocking ? ['class StandInResult {', '  constructor(session) {', '    this.session = session;', '  }', '}', ''] : []),
  ].join('\n');
}

const SAMPLE_EMAIL = 'person@example.com';

function sampleBody(type: string): Record<string, unknown> {
  switch (type) {
    case 'PRE_REGISTRATION':
      return registrationPayload(SAMPLE_EMAIL);
    case 'POST_IDENTIFICATION':
      return postIdentificationPayload(SAMPLE_EMAIL);
    case 'POST_ACCOUNT_LOGIN': {
      const { application, oidc_context, customer, session } = postIdentificationPayload(SAMPLE_EMAIL);
      return { application, oidc_context, customer, session };
    }
    default:
      // INVENTED.
      return {
        application: { name: 'Brand Web', client_id: 'brand-web' },
        customer: { ip_address: '203.0.113.10', store: 'customers', info: { id: 'b6a1f0e2-7c3d-4e5f-9a8b-1c2d3e4f5a6b' } },
        session: {},
      };
  }
}

function generated(type: string): GeneratedHook {
  const code =
    type === 'PRE_REGISTRATION'
      ? preRegistrationCode()
      : type === 'POST_IDENTIFICATION'
        ? postIdentificationCode()
        : type === 'POST_ACCOUNT_LOGIN'
          ? postAccountLoginCode()
          : inventedCode(type, !NON_BLOCKING.has(type));
  return { code, requestBody: JSON.stringify(sampleBody(type), null, 2) };
}

/** INVENTED content in the published shapes. */
const SNIPPETS: Record<string, readonly Snippet[]> = {
  PRE_REGISTRATION: [
    {
      id: 'deny-by-email-domain',
      name: 'Deny registration by email domain',
      description: 'Refuses registrations whose primary email is of a listed domain.',
      code: 'module.exports = async function ({ customer, session }, callback, error) {\n  callback(new RegistrationData(customer.attributes, [], session));\n};\n',
      packageDependencies: {},
    },
  ],
  POST_IDENTIFICATION: [
    {
      id: 'log-sign-in',
      name: 'Log the sign-in',
      description: 'Writes one line per identification.',
      code: 'module.exports = async function ({ session }, callback) {\n  console.log("identified");\n  callback(new AllowAuthentication(session));\n};\n',
      packageDependencies: {},
    },
  ],
};

/**
 * "Create a 'Before registration' hook from the Microsoft Dynamics 365 plugin" (Strivacity's
 * Dynamics integration page) is published; the integration's id, texts and code here are INVENTED.
 */
const INTEGRATIONS: Record<string, Integration> = {
  'microsoft-dynamics-365': {
    displayName: 'Microsoft Dynamics 365',
    summary: 'Look up and update customer records in Dynamics 365.',
    description: 'Use Dynamics data as a source of entitlement during registration.',
    maintainer: 'Strivacity',
    logoUrl: 'https://example.invalid/logos/dynamics-365.svg',
    categories: ['CRM'],
    hooks: {
      PRE_REGISTRATION: {
        name: 'Before registration',
        code: 'module.exports = async function ({ customer, session }, callback, error) {\n  // look the email up in Dynamics here\n  callback(new RegistrationData(customer.attributes, [], session));\n};\n',
        packageDependencies: { 'dynamics-web-api': '2.5.0' },
      },
    },
  },
  hubspot: {
    displayName: 'HubSpot',
    summary: 'Check registrations against HubSpot contacts.',
    description: 'Shows a message when no contact has the email.',
    maintainer: 'Strivacity',
    logoUrl: 'https://example.invalid/logos/hubspot.svg',
    categories: ['CRM'],
    hooks: {},
  },
};

/** The stand-in's defaults. */
export const STAND_IN_CONTRACT: ContractWorld = { descriptor: DESCRIPTOR, generated, snippets: SNIPPETS, integrations: INTEGRATIONS };
