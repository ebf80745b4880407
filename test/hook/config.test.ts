import { describe, expect, it } from 'vitest';
import { authorityOf, cloudOf, type ConfigInput, DEFAULT_MESSAGES, parseConfig, parseResolvedConfig, syncColumnsOf } from '../../src/hook/config.js';
import { HookError } from '../../src/hook/errors.js';

const TENANT = '11111111-2222-3333-4444-555555555555';
const CLIENT = '66666666-7777-8888-9999-000000000000';
const THUMBPRINT = 'ab'.repeat(32);
/** Looks like a client secret; must never come back in an error. */
const SECRET = 'S3cr3t~client~VALUE~do-not-log';

const MINIMAL = {
  dataverse: { url: 'https://contoso.crm4.dynamics.com' },
  auth: { tenantId: TENANT, clientId: CLIENT, clientSecretVariable: 'DYNAMICS_CLIENT_SECRET' },
} satisfies ConfigInput;

const MESSAGES = {
  notFound: 'nf',
  multipleMatches: 'mm',
  invalidEmail: 'ie',
  unavailable: 'un',
  notEntitled: 'ne',
  loginNotFound: 'lnf',
  loginNotEntitled: 'lne',
  loginMultipleMatches: 'lmm',
  loginUnavailable: 'lun',
};

/** MINIMAL with whole sections replaced. */
function configWith(sections: Record<string, unknown>): Record<string, unknown> {
  return { ...MINIMAL, ...sections };
}

/** The HookError that `parseConfig` throws for `raw`; fails the test if it does not throw one. */
function rejectionOf(raw: unknown, parse: (raw: unknown) => unknown = parseConfig): HookError {
  try {
    parse(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(HookError);
    const failure = error as HookError;
    expect(failure).toMatchObject({ code: 'config', stage: 'config', message: 'The hook configuration is invalid.' });
    return failure;
  }
  throw new Error('expected the config to be refused');
}

/** The bad paths a rejection names, in order: `a.b: why; c: why` -> ['a.b', 'c']. */
function pathsOf(failure: HookError): string[] {
  return (failure.diagnostic ?? '').split('; ').map((entry) => entry.slice(0, entry.indexOf(':')));
}

describe('parseConfig', () => {
  it('applies every default to a minimal config', () => {
    expect(parseConfig(MINIMAL)).toEqual({
      dataverse: { url: 'https://contoso.crm4.dynamics.com', apiVersion: '9.2' },
      auth: { tenantId: TENANT, clientId: CLIENT, clientSecretVariable: 'DYNAMICS_CLIENT_SECRET' },
      lookup: { emailFields: ['emailaddress1'], activeOnly: true, where: {} },
      policy: {
        notFound: 'allow',
        multipleMatches: 'allowMostRecent',
        invalidEmail: 'showError',
        onError: 'showError',
        notEntitled: 'showError',
        timeoutMs: 2500,
        maxConcurrentRequests: 10,
        maxValueLength: 4000,
      },
      login: {
        emailPaths: ['customer.info.userName', 'customer.info.emails.primaryEmail', 'customer.info.email', 'customer.attributes.emails.primaryEmail'],
        notFound: 'showError',
        notEntitled: 'showError',
        onError: 'allow',
        timeoutMs: 1500,
      },
      externalRegistration: { emailPaths: ['customer.attributes.emails.primaryEmail', 'customer.identifiers.email'] },
      link: {},
      enrich: {},
      enrichOverwrite: false,
      account: {
        emailPaths: ['customer.attributes.emails.primaryEmail', 'customer.info.emails.primaryEmail', 'customer.info.email', 'customer.info.userName'],
        attributePaths: ['customer.attributes', 'customer.info.attributes', 'customer.info'],
      },
      deletion: { action: 'deactivate', setColumns: {} },
      messages: { en: DEFAULT_MESSAGES },
      logLevel: 'info',
    });
  });

  it('keeps the values an administrator set over the defaults', () => {
    const config = parseConfig(
      configWith({
        lookup: { emailFields: ['emailaddress2', 'emailaddress1'], activeOnly: false },
        policy: { notFound: 'deny', multipleMatches: 'showError', invalidEmail: 'allow', onError: 'deny', timeoutMs: 200, maxConcurrentRequests: 50 },
        enrich: { 'addresses.primary.city': 'address1_city' },
        enrichOverwrite: true,
        messages: { en: MESSAGES, 'de-DE': MESSAGES },
        logLevel: 'debug',
      }),
    );
    expect(config.lookup).toEqual({ emailFields: ['emailaddress2', 'emailaddress1'], activeOnly: false, where: {} });
    expect(config.policy).toEqual({
      notFound: 'deny',
      multipleMatches: 'showError',
      invalidEmail: 'allow',
      onError: 'deny',
      notEntitled: 'showError',
      timeoutMs: 200,
      maxConcurrentRequests: 50,
      maxValueLength: 4000,
    });
    expect(config.enrich).toEqual({ 'addresses.primary.city': 'address1_city' });
    expect(config.enrichOverwrite).toBe(true);
    expect(config.messages).toEqual({ en: MESSAGES, 'de-DE': MESSAGES });
    expect(config.logLevel).toBe('debug');
  });

  describe('the Dataverse URL', () => {
    it.each([
      ['https://contoso.crm4.dynamics.com/', 'https://contoso.crm4.dynamics.com'],
      ['https://CONTOSO.crm4.dynamics.com:443', 'https://contoso.crm4.dynamics.com'],
    ])('normalises %s to its origin %s', (url, origin) => {
      expect(parseConfig(configWith({ dataverse: { url } })).dataverse.url).toBe(origin);
    });

    it.each([
      ['plain http', 'http://contoso.crm4.dynamics.com', 'must use https, e.g. https://contoso.crm4.dynamics.com'],
      ['a user name', 'https://admin@contoso.crm4.dynamics.com', 'must not contain a user name or password'],
      ['a password', 'https://admin:pw@contoso.crm4.dynamics.com', 'must not contain a user name or password'],
      ['only a password', 'https://:pw@contoso.crm4.dynamics.com', 'must not contain a user name or password'],
      // Copied from the browser's address bar: the app id and the page are not part of the environment.
      ['a query', 'https://contoso.crm4.dynamics.com/main.aspx?appid=0d4d3a4b', 'use only the origin, e.g. https://contoso.crm4.dynamics.com'],
      ['a path', 'https://contoso.crm4.dynamics.com/api/data/v9.2/', 'use only the origin, e.g. https://contoso.crm4.dynamics.com'],
      ['a fragment', 'https://contoso.crm4.dynamics.com/#main', 'use only the origin, e.g. https://contoso.crm4.dynamics.com'],
      ['not a URL at all', 'contoso.crm4.dynamics.com', 'must be a URL such as https://contoso.crm4.dynamics.com'],
    ])('refuses a URL with %s, saying what to change', (_label, url, why) => {
      expect(rejectionOf(configWith({ dataverse: { url } })).diagnostic).toBe(`dataverse.url: ${why}`);
    });

    it('accepts an organization instead of a url (the CLI resolves it)', () => {
      expect(parseConfig(configWith({ dataverse: { organization: 'contoso' } })).dataverse).toEqual({ organization: 'contoso', apiVersion: '9.2' });
    });

    it('refuses a dataverse section with neither url nor organization', () => {
      expect(rejectionOf(configWith({ dataverse: {} })).diagnostic).toBe('dataverse: set url (or organization, for the CLI)');
    });

    it.each([
      ['a prefix', 'v9.2'],
      ['a path after it', '9.2/../x'],
      ['a third part', '9.2.1'],
    ])('refuses an API version with %s: it goes into every request path', (_label, apiVersion) => {
      expect(rejectionOf(configWith({ dataverse: { url: MINIMAL.dataverse.url, apiVersion } })).diagnostic).toBe('dataverse.apiVersion: must look like 9.2');
    });

    it('accepts a multi-digit API version', () => {
      expect(parseConfig(configWith({ dataverse: { url: MINIMAL.dataverse.url, apiVersion: '10.12' } })).dataverse.apiVersion).toBe('10.12');
    });

    it.each([
      ['one character', 'c'],
      ['63 characters', `c${'o-'.repeat(31)}`],
      ['upper case and digits', 'Contoso-2'],
    ])('accepts an organization of %s', (_label, organization) => {
      expect(parseConfig(configWith({ dataverse: { organization } })).dataverse.organization).toBe(organization);
    });

    it.each([
      ['a leading hyphen', '-contoso'],
      ['64 characters', `c${'o'.repeat(63)}`],
      ['a dot after the name', 'contoso.example'],
      ['a slash after the name', 'contoso/x'],
      ['an underscore', 'con_toso'],
    ])('refuses an organization with %s', (_label, organization) => {
      expect(rejectionOf(configWith({ dataverse: { organization } })).diagnostic).toBe('dataverse.organization: must be an organisation unique name');
    });

    it('refuses an API version that is not major.minor', () => {
      expect(rejectionOf(configWith({ dataverse: { url: MINIMAL.dataverse.url, apiVersion: 'v9' } })).diagnostic).toBe(
        'dataverse.apiVersion: must look like 9.2',
      );
    });
  });

  describe('auth', () => {
    it('accepts upper-case GUIDs', () => {
      const config = parseConfig(configWith({ auth: { ...MINIMAL.auth, tenantId: TENANT.toUpperCase() } }));
      expect(config.auth.tenantId).toBe(TENANT.toUpperCase());
    });

    it.each(['tenantId', 'clientId'])('refuses a %s that is not a GUID', (key) => {
      const failure = rejectionOf(configWith({ auth: { ...MINIMAL.auth, [key]: `${TENANT}0` } }));
      expect(failure.diagnostic).toBe(`auth.${key}: must be a GUID`);
    });

    it.each([
      ['text before it', `x)/y(${TENANT}`],
      ['text after it', `${TENANT})/x`],
      ['a group one digit short', TENANT.slice(1)],
      ['braces', `{${TENANT}}`],
      ['no dashes', TENANT.replaceAll('-', '')],
      ['a character that is not hex', `g${TENANT.slice(1)}`],
    ])('refuses a GUID with %s', (_label, tenantId) => {
      expect(rejectionOf(configWith({ auth: { ...MINIMAL.auth, tenantId } })).diagnostic).toBe('auth.tenantId: must be a GUID');
    });

    it('accepts a client certificate instead of a secret', () => {
      const clientCertificate = { thumbprintSha256: THUMBPRINT.toUpperCase(), privateKeyVariable: 'DYNAMICS_CLIENT_KEY' };
      const config = parseConfig(configWith({ auth: { tenantId: TENANT, clientId: CLIENT, clientCertificate } }));
      expect(config.auth).toEqual({ tenantId: TENANT, clientId: CLIENT, clientCertificate });
    });

    it('refuses both a secret and a certificate', () => {
      const auth = { ...MINIMAL.auth, clientCertificate: { thumbprintSha256: THUMBPRINT, privateKeyVariable: 'DYNAMICS_CLIENT_KEY' } };
      expect(rejectionOf(configWith({ auth })).diagnostic).toBe('auth: set exactly one of clientSecretVariable or clientCertificate');
    });

    it('refuses neither a secret nor a certificate', () => {
      expect(rejectionOf(configWith({ auth: { tenantId: TENANT, clientId: CLIENT } })).diagnostic).toBe(
        'auth: set exactly one of clientSecretVariable or clientCertificate',
      );
    });

    it.each([
      ['a SHA-1 thumbprint (40 hex)', 'ab'.repeat(20)],
      ['a thumbprint with colons', THUMBPRINT.replace(/(..)(?!$)/g, '$1:')],
      ['a non-hex thumbprint', 'zz'.repeat(32)],
      ['65 hex characters', `${THUMBPRINT}a`],
      ['a character before 64 hex', `x${THUMBPRINT}`],
      ['63 hex characters', THUMBPRINT.slice(1)],
    ])('refuses %s', (_label, thumbprintSha256) => {
      const auth = { tenantId: TENANT, clientId: CLIENT, clientCertificate: { thumbprintSha256, privateKeyVariable: 'DYNAMICS_CLIENT_KEY' } };
      expect(rejectionOf(configWith({ auth })).diagnostic).toBe('auth.clientCertificate.thumbprintSha256: must be 64 hex characters (SHA-256)');
    });

    it.each([
      ['a leading underscore', '_DYNAMICS_SECRET'],
      ['one letter', 'S'],
    ])('accepts a secret variable name with %s', (_label, clientSecretVariable) => {
      expect(parseConfig(configWith({ auth: { ...MINIMAL.auth, clientSecretVariable } })).auth.clientSecretVariable).toBe(clientSecretVariable);
    });

    it.each([
      ['a hyphen after the name', 'SECRET-1'],
      ['a dot', 'DYNAMICS.SECRET'],
    ])('refuses a secret variable name with %s', (_label, clientSecretVariable) => {
      expect(rejectionOf(configWith({ auth: { ...MINIMAL.auth, clientSecretVariable } })).diagnostic).toBe(
        'auth.clientSecretVariable: must be a variable name (letters, digits, _)',
      );
    });

    it('refuses a secret variable name that is not a variable name', () => {
      expect(rejectionOf(configWith({ auth: { ...MINIMAL.auth, clientSecretVariable: '1-SECRET' } })).diagnostic).toBe(
        'auth.clientSecretVariable: must be a variable name (letters, digits, _)',
      );
    });

    it('refuses an unknown cloud', () => {
      expect(rejectionOf(configWith({ auth: { ...MINIMAL.auth, cloud: 'germany' } })).diagnostic).toBe('auth.cloud: must be one of public, usgov, china');
    });
  });

  describe('lookup', () => {
    it('refuses an email field outside emailaddress1..3, naming its index', () => {
      expect(rejectionOf(configWith({ lookup: { emailFields: ['emailaddress1', 'emailaddress4'] } })).diagnostic).toBe(
        'lookup.emailFields.1: must be one of emailaddress1, emailaddress2, emailaddress3',
      );
    });

    it('refuses a repeated email field', () => {
      expect(rejectionOf(configWith({ lookup: { emailFields: ['emailaddress2', 'emailaddress2'] } })).diagnostic).toBe(
        'lookup.emailFields: must not repeat a field',
      );
    });

    it('refuses an empty list of email fields', () => {
      expect(rejectionOf(configWith({ lookup: { emailFields: [] } })).diagnostic).toBe('lookup.emailFields: must list at least 1 item');
    });
  });

  describe('lookup.where', () => {
    it('accepts a value or a list of values per column, lookup value columns included', () => {
      const where = { msdyn_portalaccess: true, customertypecode: [1, 3], _parentcustomerid_value: 'a1b2c3d4-0000-4000-8000-000000000001', fax: null };
      expect(parseConfig(configWith({ lookup: { where } })).lookup.where).toEqual(where);
    });

    it('refuses a value of another type, naming the column', () => {
      const failure = rejectionOf(configWith({ lookup: { where: { customertypecode: { eq: 1 } } } }));
      expect(pathsOf(failure)).toEqual(['lookup.where.customertypecode']);
    });

    it('refuses an empty list of values and a column that is not a logical name', () => {
      expect(pathsOf(rejectionOf(configWith({ lookup: { where: { customertypecode: [] } } })))).toEqual(['lookup.where.customertypecode']);
      expect(rejectionOf(configWith({ lookup: { where: { 'Portal Access': true } } })).diagnostic).toContain('lookup.where');
    });
  });

  describe('login and link', () => {
    it('refuses a login policy outside allow, showError, deny and a timeout below 200 ms', () => {
      expect(rejectionOf(configWith({ login: { onError: 'allowMostRecent' } })).diagnostic).toBe('login.onError: must be one of allow, showError, deny');
      expect(rejectionOf(configWith({ login: { timeoutMs: 199 } })).diagnostic).toBe('login.timeoutMs: must be at least 200');
    });

    it('refuses an email path that is not a dotted path, naming its index', () => {
      expect(pathsOf(rejectionOf(configWith({ login: { emailPaths: ['customer.info.userName', 'customer..x'] } })))).toEqual(['login.emailPaths.1']);
    });

    it('accepts a custom link attribute and refuses one outside the attribute paths', () => {
      expect(parseConfig(configWith({ link: { attribute: 'custom.dynamicsContactId' } })).link.attribute).toBe('custom.dynamicsContactId');
      expect(pathsOf(rejectionOf(configWith({ link: { attribute: 'dynamicsContactId' } })))).toEqual(['link.attribute']);
    });
  });

  describe('policy', () => {
    it.each([
      ['notFound', 'allowMostRecent', 'allow, showError, deny'],
      ['invalidEmail', 'block', 'allow, showError, deny'],
      ['onError', 'retry', 'allow, showError, deny'],
      ['multipleMatches', 'allow', 'allowMostRecent, showError, deny'],
    ])('refuses policy.%s = %s, listing the allowed values', (key, value, options) => {
      expect(rejectionOf(configWith({ policy: { [key]: value } })).diagnostic).toBe(`policy.${key}: must be one of ${options}`);
    });

    it.each([200, 30_000])('accepts timeoutMs %i (a bound)', (timeoutMs) => {
      expect(parseConfig(configWith({ policy: { timeoutMs } })).policy.timeoutMs).toBe(timeoutMs);
    });

    it.each([
      [199, 'must be at least 200'],
      [30_001, 'must be at most 30000'],
      [2500.5, 'must be a whole number'],
      ['2500', 'must be a number, not text'],
    ])('refuses timeoutMs %j', (timeoutMs, why) => {
      expect(rejectionOf(configWith({ policy: { timeoutMs } })).diagnostic).toBe(`policy.timeoutMs: ${why}`);
    });
  });

  describe('enrich and sync', () => {
    it('refuses an enrich column that is not a Dataverse logical name', () => {
      expect(rejectionOf(configWith({ enrich: { 'name.givenName': 'FirstName' } })).diagnostic).toBe(
        'enrich.name.givenName: must be a Dataverse column logical name',
      );
    });

    it.each([
      ['two columns', 'firstname,lastname'],
      ['a space and a second word', 'firstname lastname'],
      ['a leading underscore', '_firstname'],
      ['a leading digit', '1firstname'],
      ['an OData option after it', 'firstname&$expand=x'],
    ])('refuses an enrich column with %s: one column per key, and it goes into $select', (_label, column) => {
      expect(rejectionOf(configWith({ enrich: { 'name.givenName': column } })).diagnostic).toBe(
        'enrich.name.givenName: must be a Dataverse column logical name',
      );
    });

    it('accepts a custom column with a publisher prefix and digits', () => {
      expect(parseConfig(configWith({ enrich: { 'custom.tier': 'new_tier2' } })).enrich).toEqual({ 'custom.tier': 'new_tier2' });
    });

    it('refuses an enrich key that is not an attribute path, and says why', () => {
      expect(rejectionOf(configWith({ enrich: { 'name..givenName': 'firstname' } })).diagnostic).toBe(
        'enrich.name..givenName: must be a dotted attribute path such as name.givenName',
      );
    });

    it('refuses a sync column key that holds two columns', () => {
      expect(rejectionOf(configWith({ sync: { columns: { 'firstname,lastname': 'name.givenName' } } })).diagnostic).toBe(
        'sync.columns.firstname,lastname: keys must be Dataverse column logical names',
      );
    });

    it('refuses a sync column key that is not a logical name, and a value that is not a path', () => {
      const failure = rejectionOf(configWith({ sync: { columns: { FirstName: 'name.givenName', lastname: 'name family' } } }));
      expect(failure.diagnostic).toBe(
        'sync.columns.FirstName: keys must be Dataverse column logical names; sync.columns.lastname: must be a dotted attribute path such as name.givenName',
      );
    });
  });

  describe('messages', () => {
    it('accepts messages without an "en" entry, completing every language from the English defaults', () => {
      const config = parseConfig(configWith({ messages: { de: { notFound: 'Nicht gefunden' } } }));
      expect(config.messages).toEqual({ en: DEFAULT_MESSAGES, de: { ...DEFAULT_MESSAGES, notFound: 'Nicht gefunden' } });
    });

    it('fills a message a language lacks from en, and one en lacks from the default', () => {
      const config = parseConfig(configWith({ messages: { en: { notFound: 'en nf' }, fr: { invalidEmail: 'fr ie' } } }));
      expect(config.messages['fr']).toEqual({ ...DEFAULT_MESSAGES, notFound: 'en nf', invalidEmail: 'fr ie' });
      expect(config.messages['en']).toEqual({ ...DEFAULT_MESSAGES, notFound: 'en nf' });
    });

    it('parses its own output to the same config (the built file parses HOOK_CONFIG again)', () => {
      const once = parseConfig(configWith({ messages: { de: { unavailable: 'Später' } } }));
      expect(parseConfig(once)).toEqual(once);
    });

    it('refuses an empty message, naming it in plain words', () => {
      expect(rejectionOf(configWith({ messages: { en: { ...MESSAGES, unavailable: '' } } })).diagnostic).toBe('messages.en.unavailable: must not be empty');
    });

    it('refuses an unknown message name with the nearest known one', () => {
      expect(rejectionOf(configWith({ messages: { de: { notFund: 'x' } } })).diagnostic).toBe('messages.de.notFund: unknown key, did you mean `notFound`?');
    });

    it('refuses a key that is not a locale', () => {
      expect(rejectionOf(configWith({ messages: { en: MESSAGES, german: MESSAGES } })).diagnostic).toBe(
        'messages.german: keys must be locales such as en or de-DE',
      );
    });
  });

  it('names unknown keys at every level', () => {
    const failure = rejectionOf({ ...configWith({ dataverse: { ...MINIMAL.dataverse, region: 'emea' } }), lookups: {}, debug: true });
    expect(failure.diagnostic).toBe('dataverse.region: unknown key; lookups: unknown key, did you mean `lookup`?; debug: unknown key');
  });

  it('refuses a config that is not an object', () => {
    expect(rejectionOf('{"dataverse":{}}').diagnostic).toBe('(root): must be an object, not text');
  });

  it('names every bad key in one error', () => {
    const failure = rejectionOf({
      dataverse: { url: 'http://contoso.crm4.dynamics.com' },
      auth: { tenantId: 'not-a-guid', clientId: CLIENT, clientSecretVariable: 'DYNAMICS_CLIENT_SECRET' },
      lookup: { emailFields: ['emailaddress9'] },
      policy: { notFound: 'maybe', timeoutMs: 10 },
      enrich: { 'name.givenName': 'First Name' },
      messages: { en: { ...MESSAGES, unavailable: '' } },
      colour: 'blue',
    });
    expect(pathsOf(failure)).toEqual([
      'dataverse.url',
      'auth.tenantId',
      'lookup.emailFields.0',
      'policy.notFound',
      'policy.timeoutMs',
      'enrich.name.givenName',
      'messages.en.unavailable',
      'colour',
    ]);
  });

  it('never echoes a value, even a secret pasted into the wrong key', () => {
    const failure = rejectionOf({
      dataverse: { url: `https://contoso.crm4.dynamics.com/?secret=${SECRET}` },
      auth: { tenantId: SECRET, clientId: CLIENT, clientSecretVariable: SECRET },
      policy: { onError: SECRET, timeoutMs: SECRET },
      enrich: { 'name.givenName': SECRET },
      messages: { en: { ...MESSAGES, notFound: 123 } },
      logLevel: SECRET,
    });
    expect(pathsOf(failure)).toEqual([
      'dataverse.url',
      'auth.tenantId',
      'auth.clientSecretVariable',
      'policy.onError',
      'policy.timeoutMs',
      'enrich.name.givenName',
      'messages.en.notFound',
      'logLevel',
    ]);
    expect(failure.message).not.toContain('S3cr3t');
    expect(failure.diagnostic).not.toContain('S3cr3t');
    expect(String(failure.stack)).not.toContain('S3cr3t');
  });
});

describe('parseConfig on objects that are not plain data', () => {
  const WHY = 'must be plain data (a "__proto__" key in the console sets a prototype)';

  it.each([
    ['the config itself', () => Object.setPrototypeOf({ ...MINIMAL }, { logLevel: 'debug' }), '(root)'],
    ['a section', () => ({ ...MINIMAL, policy: Object.setPrototypeOf({}, { onError: 'allow' }) }), 'policy'],
    ['an object in a list', () => ({ ...MINIMAL, lookup: { emailFields: ['emailaddress1', Object.setPrototypeOf({}, { x: 1 })] } }), 'lookup.emailFields[1]'],
  ])('refuses %s with a prototype, naming its path', (_label, raw, path) => {
    expect(rejectionOf(raw()).diagnostic).toBe(`${path}: ${WHY}`);
  });

  it('accepts objects without a prototype', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, MINIMAL, {
      policy: Object.assign(Object.create(null) as object, { onError: 'deny' }),
    });
    expect(parseConfig(bare).policy.onError).toBe('deny');
  });
});

describe('parseResolvedConfig', () => {
  it('returns the config when it has a url', () => {
    expect(parseResolvedConfig(MINIMAL).dataverse.url).toBe('https://contoso.crm4.dynamics.com');
  });

  it('refuses a config with only an organization, saying the built hook needs the url', () => {
    const failure = rejectionOf(configWith({ dataverse: { organization: 'contoso' } }), parseResolvedConfig);
    expect(failure.diagnostic).toBe('dataverse.url: required in a built hook (doctor resolves an organization to its url)');
  });

  it('refuses an invalid config like parseConfig', () => {
    expect(rejectionOf(configWith({ dataverse: { url: 'http://x.example' } }), parseResolvedConfig).diagnostic).toBe(
      'dataverse.url: must use https, e.g. https://contoso.crm4.dynamics.com',
    );
  });
});

describe('cloudOf', () => {
  it.each([
    ['https://contoso.crm4.dynamics.com', 'public'],
    ['https://contoso.crm.dynamics.com', 'public'],
    ['https://contoso.crm9.dynamics.com', 'public'], // GCC (moderate) signs in with the commercial cloud
    ['https://contoso.crm.microsoftdynamics.us', 'usgov'], // GCC High
    ['https://contoso.crm.appsplatform.us', 'usgov'], // DoD
    ['https://contoso.crm.dynamics.cn', 'china'],
  ])('derives the cloud of %s as %s', (url, cloud) => {
    expect(cloudOf(parseConfig(configWith({ dataverse: { url } })))).toBe(cloud);
  });

  it('prefers an explicit cloud over the URL', () => {
    const config = parseConfig(configWith({ dataverse: { url: 'https://contoso.crm.dynamics.cn' }, auth: { ...MINIMAL.auth, cloud: 'usgov' } }));
    expect(cloudOf(config)).toBe('usgov');
  });

  it('falls back to public when only an organization is known', () => {
    expect(cloudOf(parseConfig(configWith({ dataverse: { organization: 'contoso' } })))).toBe('public');
  });
});

describe('authorityOf', () => {
  it.each([
    ['https://contoso.crm4.dynamics.com', `https://login.microsoftonline.com/${TENANT}`],
    ['https://contoso.crm.microsoftdynamics.us', `https://login.microsoftonline.us/${TENANT}`],
    ['https://contoso.crm.dynamics.cn', `https://login.partner.microsoftonline.cn/${TENANT}`],
  ])('for %s is %s', (url, authority) => {
    expect(authorityOf(parseConfig(configWith({ dataverse: { url } })))).toBe(authority);
  });
});

describe('syncColumnsOf', () => {
  const enrich = { 'name.givenName': 'firstname', 'phoneNumbers.primaryPhoneNumber': 'mobilephone' };

  it('defaults to enrich reversed', () => {
    expect(syncColumnsOf(parseConfig(configWith({ enrich })))).toEqual({ firstname: 'name.givenName', mobilephone: 'phoneNumbers.primaryPhoneNumber' });
  });

  it('uses sync.columns when set', () => {
    const config = parseConfig(configWith({ enrich, sync: { columns: { lastname: 'name.familyName' } } }));
    expect(syncColumnsOf(config)).toEqual({ lastname: 'name.familyName' });
  });

  it('is empty without enrich or sync.columns', () => {
    expect(syncColumnsOf(parseConfig(MINIMAL))).toEqual({});
  });
});
