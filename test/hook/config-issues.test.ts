/**
 * The wording of config errors: plain words, the path of each bad key, the nearest known name for
 * a typo, and never a value. Friction from issue 11: a partial language failed with zod's "Invalid
 * input: expected string, received undefined" three times; `onErorr` and `name.givenNmae` had no
 * suggestion (the second was even accepted).
 */
import { describe, expect, it } from 'vitest';
import { CUSTOM_ATTRIBUTE_PREFIX, KNOWN_ATTRIBUTE_PATHS } from '../../src/hook/attribute-paths.js';
import { describeIssues, plainMessage } from '../../src/hook/config-issues.js';
import { type ConfigInput, configSchema, parseConfig } from '../../src/hook/config.js';
import { HookError } from '../../src/hook/errors.js';

const MINIMAL = {
  dataverse: { url: 'https://fabrikam.crm4.dynamics.com' },
  auth: { tenantId: '11111111-2222-3333-4444-555555555555', clientId: '66666666-7777-8888-9999-000000000000', clientSecretVariable: 'DYNAMICS_CLIENT_SECRET' },
} satisfies ConfigInput;

function diagnosticOf(raw: unknown): string {
  try {
    parseConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(HookError);
    expect(error).toMatchObject({ code: 'config', message: 'The hook configuration is invalid.' });
    return (error as HookError).diagnostic ?? '';
  }
  throw new Error('expected the config to be refused');
}

describe('config errors in plain words', () => {
  it('accepts a German set with only some messages (no longer three "expected string, received undefined")', () => {
    const config = parseConfig({ ...MINIMAL, messages: { de: { notFound: 'Kein Kundenkonto gefunden.' } } });
    expect(config.messages['de']?.notFound).toBe('Kein Kundenkonto gefunden.');
  });

  it('names a missing required key and the kind of value it needs', () => {
    expect(diagnosticOf({ ...MINIMAL, auth: { clientSecretVariable: 'X' } })).toBe(
      'auth.tenantId: missing (expected text); auth.clientId: missing (expected text)',
    );
  });

  it('says what kind of value a key needs when it has another kind, without the value', () => {
    expect(diagnosticOf({ ...MINIMAL, enrichOverwrite: 'yes', lookup: { emailFields: 'emailaddress1' } })).toBe(
      'lookup.emailFields: must be a list, not text; enrichOverwrite: must be true or false, not text',
    );
  });

  it('suggests the nearest key for a typo at the root and inside a section', () => {
    expect(diagnosticOf({ ...MINIMAL, policy: { onErorr: 'deny' }, enrichOverwite: true })).toBe(
      'policy.onErorr: unknown key, did you mean `onError`?; enrichOverwite: unknown key, did you mean `enrichOverwrite`?',
    );
  });

  it('keeps one entry per bad key: no entry contains the "; " that separates them (the CLI prints one per line)', () => {
    const diagnostic = diagnosticOf({
      ...MINIMAL,
      dataverse: { url: 'https://fabrikam.crm4.dynamics.com/main.aspx?appid=1' },
      policy: { onErorr: 'deny' },
      enrich: { 'name.givenNmae': 'firstname' },
    });
    expect(diagnostic.split('; ').map((entry) => entry.slice(0, entry.indexOf(': ')))).toEqual(['dataverse.url', 'policy.onErorr', 'enrich.name.givenNmae']);
  });

  it('names the kind of a wrong value (text, a number, null, a list), never the value', () => {
    expect(diagnosticOf({ ...MINIMAL, policy: { timeoutMs: '1500' } })).toBe('policy.timeoutMs: must be a number, not text');
    expect(diagnosticOf({ ...MINIMAL, policy: { timeoutMs: null } })).toBe('policy.timeoutMs: must be a number, not null');
    expect(diagnosticOf({ ...MINIMAL, policy: { timeoutMs: [1500] } })).toBe('policy.timeoutMs: must be a number, not a list');
    expect(diagnosticOf({ ...MINIMAL, auth: { ...MINIMAL.auth, clientId: 5 } })).toBe('auth.clientId: must be text, not a number');
  });

  it('asks for a whole number only where a number with a fraction was given', () => {
    expect(diagnosticOf({ ...MINIMAL, policy: { timeoutMs: 1.5 } })).toBe('policy.timeoutMs: must be a whole number');
  });

  it('names an unknown key with no near match without guessing', () => {
    expect(diagnosticOf({ ...MINIMAL, policy: { retries: 3 } })).toBe('policy.retries: unknown key');
  });
});

describe('attribute paths in enrich and sync.columns', () => {
  it('refuses name.givenNmae in enrich with "did you mean name.givenName?"', () => {
    expect(diagnosticOf({ ...MINIMAL, enrich: { 'name.givenNmae': 'firstname' } })).toBe(
      'enrich.name.givenNmae: unknown attribute, did you mean name.givenName? (custom attributes go under custom.<name>)',
    );
  });

  it('refuses a mistyped path in sync.columns, naming the column', () => {
    expect(diagnosticOf({ ...MINIMAL, sync: { columns: { address1_city: 'addresses.primary.citty' } } })).toBe(
      'sync.columns.address1_city: unknown attribute, did you mean addresses.primary.city? (custom attributes go under custom.<name>)',
    );
  });

  it('refuses a path far from every known one, pointing to the custom prefix', () => {
    expect(diagnosticOf({ ...MINIMAL, enrich: { loyaltyNumber: 'new_loyaltynumber' } })).toBe(
      'enrich.loyaltyNumber: not a Strivacity attribute the hook knows (custom attributes go under custom.<name>)',
    );
  });

  it('accepts every known attribute and any attribute under the custom prefix', () => {
    const enrich = Object.fromEntries(KNOWN_ATTRIBUTE_PATHS.map((path, index) => [path, `column${index}`]));
    const custom = `${CUSTOM_ATTRIBUTE_PREFIX}loyaltyNumber`;
    const config = parseConfig({ ...MINIMAL, enrich: { ...enrich, [custom]: 'new_loyaltynumber' }, sync: { columns: { new_tier: custom } } });
    expect(Object.keys(config.enrich)).toEqual([...KNOWN_ATTRIBUTE_PATHS, custom]);
    expect(CUSTOM_ATTRIBUTE_PREFIX).toBe('custom.');
  });
});

describe("the wording of zod's own checks (plainMessage)", () => {
  const tooSmall = (origin: string, minimum: number) => plainMessage({ code: 'too_small', origin, minimum, input: undefined } as never);
  const tooBig = (origin: string, maximum: number) => plainMessage({ code: 'too_big', origin, maximum, input: undefined } as never);

  it('says "must not be empty" for text that must have a character, and counts characters otherwise', () => {
    expect(tooSmall('string', 1)).toBe('must not be empty');
    expect(tooSmall('string', 3)).toBe('must be at least 3 characters');
    expect(tooBig('string', 1)).toBe('must be at most 1 characters');
    expect(tooBig('string', 200)).toBe('must be at most 200 characters');
  });

  it('counts items in a list or a set, singular for one', () => {
    expect(tooSmall('array', 1)).toBe('must list at least 1 item');
    expect(tooSmall('array', 2)).toBe('must list at least 2 items');
    expect(tooBig('set', 1)).toBe('must list at most 1 item');
    expect(tooBig('set', 5)).toBe('must list at most 5 items');
  });

  it('gives a number its bound', () => {
    expect(tooSmall('number', 100)).toBe('must be at least 100');
    expect(tooBig('number', 60000)).toBe('must be at most 60000');
  });

  it('leaves other checks to zod (no message of its own)', () => {
    expect(plainMessage({ code: 'custom', input: 1 } as never)).toBeUndefined();
  });
});

describe('describeIssues', () => {
  it('joins the nested messages of a bad record key with commas', () => {
    const issues = [
      {
        code: 'invalid_key',
        origin: 'record',
        path: ['messages'],
        input: 'x',
        message: 'Invalid key',
        issues: [{ message: 'too long' }, { message: 'not a locale' }],
      },
    ];
    expect(describeIssues(issues as never, configSchema)).toBe('messages: too long, not a locale');
  });
});
