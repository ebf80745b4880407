import { describe, expect, it } from 'vitest';
import { configSchema, parseResolvedConfig } from '../../src/hook/config.js';
import { configKeysOf } from '../../src/hook/config-keys.js';
import { configHash } from '../../src/build/provenance.js';
import { renderConfigBlock } from '../../src/build/config-block.js';

const PROVENANCE = { version: '1.4.0', commit: '0123456789abcdef0123456789abcdef01234567' };
const DEPENDENCIES = { '@azure/msal-node': '7.2.1', 'dynamics-web-api': '2.5.0', zod: '4.6.7' };
const RAW = {
  dataverse: { url: 'https://contoso.crm4.dynamics.com' },
  auth: { tenantId: '11111111-2222-3333-4444-555555555555', clientId: '66666666-7777-8888-9999-000000000000', clientSecretVariable: 'DYNAMICS_CLIENT_SECRET' },
  enrich: { 'name.givenName': 'firstname', 'addresses.primary.city': 'address1_city' },
};

/** Runs a config block as the console would and returns its HOOK_CONFIG. */
function evaluate(block: string): unknown {
  return new Function(`${block}\nreturn HOOK_CONFIG;`)() as unknown;
}

/** The line right above the first line that sets `"key":`. */
function commentAbove(block: string, key: string): string | undefined {
  const lines = block.split('\n');
  const index = lines.findIndex((line) => line.trimStart().startsWith(`${JSON.stringify(key)}:`));
  return index > 0 ? lines[index - 1]?.trim() : undefined;
}

describe('renderConfigBlock', () => {
  const config = parseResolvedConfig(RAW);
  const block = renderConfigBlock('pre-registration', config, DEPENDENCIES, PROVENANCE);

  it('opens with use strict and a comment that names the hook and its packageDependencies', () => {
    expect(block.startsWith("'use strict';\n/*\n * Strivacity pre-registration hook: Microsoft Dynamics 365 (Dataverse contacts).\n")).toBe(true);
    expect(block).toContain(
      ' * Hook settings > Dependencies (packageDependencies):\n *   @azure/msal-node: 7.2.1\n *   dynamics-web-api: 2.5.0\n *   zod: 4.6.7\n',
    );
  });

  it('says which build it is: project version, commit and the hash of the config it holds', () => {
    expect(block).toContain(
      ` * Strivacity pre-registration hook: Microsoft Dynamics 365 (Dataverse contacts).\n * Build: version 1.4.0, commit ${PROVENANCE.commit}, config ${configHash(config)}\n`,
    );
    expect(configHash(config)).toMatch(/^[0-9a-f]{12}$/);
  });

  it('names the kind of hook it is for', () => {
    expect(renderConfigBlock('post-registration', config, DEPENDENCIES, PROVENANCE)).toContain(' * Strivacity post-registration hook: ');
  });

  it('declares HOOK_CONFIG as the last statement', () => {
    expect(block).toMatch(/\*\/\nconst HOOK_CONFIG = \{\n[\s\S]*\n\};\n$/);
  });

  it('evaluates to exactly the config it was given', () => {
    expect(evaluate(block)).toEqual(config);
  });

  it('puts the schema description of each setting above it, with the allowed values of an enum', () => {
    expect(commentAbove(block, 'url')).toBe('// environment URL, origin only (https://<org>.crm<n>.dynamics.com)');
    expect(commentAbove(block, 'clientSecretVariable')).toBe('// name of the Strivacity secret holding the client secret value');
    expect(commentAbove(block, 'notFound')).toBe('// no contact has the email: allow | showError | deny');
    expect(commentAbove(block, 'timeoutMs')).toBe('// whole-hook deadline in ms: token + lookup + retries');
    expect(commentAbove(block, 'enrich')).toBe('// Strivacity attribute path -> Dataverse column, copied into the registration');
    expect(commentAbove(block, 'messages')).toBe('// shown to the person, by ui_locales; a missing text comes from en, then the default');
  });

  it('comments every key of the config it renders (one description per key, none kept by hand)', () => {
    const keys = configKeysOf(configSchema).map(({ path }) => path.split('.').at(-1) ?? path);
    for (const key of new Set(keys.filter((key) => block.includes(`${JSON.stringify(key)}:`)))) {
      expect(commentAbove(block, key), key).toMatch(/^\/\/ \S/);
    }
  });

  it('does not comment keys inside free-form maps (enrich entries, message texts)', () => {
    expect(block).toContain('  "enrich": {\n    "name.givenName": "firstname",\n    "addresses.primary.city": "address1_city"\n  },\n');
    expect(block).toContain(
      '  "messages": {\n    "en": {\n      "notFound": "We could not find your customer record. Please contact support to register.",\n      "multipleMatches": ',
    );
  });

  it('writes arrays on one line and empty objects as {}', () => {
    const rendered = renderConfigBlock(
      'pre-registration',
      parseResolvedConfig({ ...RAW, enrich: {}, lookup: { emailFields: ['emailaddress1', 'emailaddress3'] } }),
      DEPENDENCIES,
      PROVENANCE,
    );
    expect(rendered).toContain('  "enrich": {},\n');
    expect(rendered).toContain('    "emailFields": ["emailaddress1","emailaddress3"],\n');
  });

  it('keeps hostile message text inside its string: comment ends, newlines, quotes, line separators', () => {
    const hostile = '*/ throw new Error(\'escaped\'); /* \n // "quoted" \u2028 </script> ${x}';
    const messages = { en: { notFound: hostile, multipleMatches: 'm', invalidEmail: 'i', unavailable: 'u' } };
    const withHostile = parseResolvedConfig({ ...RAW, messages });
    const rendered = renderConfigBlock('pre-registration', withHostile, DEPENDENCIES, PROVENANCE);
    expect(evaluate(rendered)).toEqual(withHostile);
  });
});
