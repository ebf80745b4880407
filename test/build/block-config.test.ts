/**
 * Each built file's config block holds what that hook reads. Issue 11: the post-registration file
 * showed `notFound`, `messages` and other keys it ignores, and no `sync` although it writes the
 * enrich columns back by default.
 */
import { describe, expect, it } from 'vitest';
import { blockConfigFor } from '../../src/build/block-config.js';
import { type ConfigInput, parseResolvedConfig } from '../../src/hook/config.js';

const RAW = {
  $schema: './node_modules/strivacity-dynamics-hook/src/build/hook.config.schema.json',
  dataverse: { url: 'https://fabrikam.crm4.dynamics.com' },
  auth: { tenantId: '11111111-2222-3333-4444-555555555555', clientId: '66666666-7777-8888-9999-000000000000', clientSecretVariable: 'DYNAMICS_CLIENT_SECRET' },
  policy: { notFound: 'deny', timeoutMs: 4000 },
  enrich: { 'name.givenName': 'firstname', 'custom.loyaltyNumber': 'new_loyaltynumber' },
  messages: { de: { notFound: 'Nicht gefunden' } },
} satisfies ConfigInput;

describe('blockConfigFor', () => {
  const config = parseResolvedConfig(RAW);

  it('gives the post-registration hook only the keys it reads, with the columns it writes and createIfMissing written out', () => {
    expect(blockConfigFor('post-registration', config)).toEqual({
      dataverse: { url: 'https://fabrikam.crm4.dynamics.com', apiVersion: '9.2' },
      auth: RAW.auth,
      lookup: { emailFields: ['emailaddress1'], activeOnly: true, where: {} },
      policy: { timeoutMs: 4000, maxConcurrentRequests: 10, maxValueLength: 4000 },
      sync: { columns: { firstname: 'name.givenName', new_loyaltynumber: 'custom.loyaltyNumber' }, createIfMissing: true, updateExisting: 'fillEmpty' },
      logLevel: 'info',
    });
  });

  it('writes out the enrich columns and createIfMissing for "sync": {} (issue 11 showed only createIfMissing)', () => {
    const emptySync = parseResolvedConfig({ ...RAW, sync: {} });
    expect(blockConfigFor('post-registration', emptySync)['sync']).toEqual({
      columns: { firstname: 'name.givenName', new_loyaltynumber: 'custom.loyaltyNumber' },
      createIfMissing: true,
      updateExisting: 'fillEmpty',
    });
  });

  it('writes out sync.columns, createIfMissing and updateExisting as configured', () => {
    const withSync = parseResolvedConfig({ ...RAW, sync: { columns: { lastname: 'name.familyName' }, createIfMissing: false, updateExisting: 'never' } });
    expect(blockConfigFor('post-registration', withSync)['sync']).toEqual({
      columns: { lastname: 'name.familyName' },
      createIfMissing: false,
      updateExisting: 'never',
    });
  });

  it('gives the pre-registration hook everything but sync and login (and $schema, which only editors read)', () => {
    const withSync = parseResolvedConfig({ ...RAW, sync: { createIfMissing: false } });
    const block = blockConfigFor('pre-registration', withSync);
    expect(Object.keys(block)).toEqual(['dataverse', 'auth', 'lookup', 'policy', 'link', 'enrich', 'enrichOverwrite', 'messages', 'logLevel']);
    expect(block['messages']).toEqual(withSync.messages);
  });

  it('gives the sign-in gate its login policies, the link and the rules, and of policy only what it reads', () => {
    const gate = parseResolvedConfig({ ...RAW, lookup: { where: { statuscode: 1 } }, link: { attribute: 'custom.dynamicsContactId' } });
    const block = blockConfigFor('post-identification', gate);
    expect(Object.keys(block)).toEqual(['dataverse', 'auth', 'lookup', 'login', 'link', 'policy', 'messages', 'logLevel']);
    expect(block['policy']).toEqual({ multipleMatches: 'allowMostRecent', maxConcurrentRequests: 10, maxValueLength: 4000 });
    expect(block['lookup']).toEqual({ emailFields: ['emailaddress1'], activeOnly: true, where: { statuscode: 1 } });
    expect(block['login']).toMatchObject({ onError: 'allow', timeoutMs: 1500 });
  });

  it('gives the account-update hook where it reads its arguments, the link and the sync it writes, and no messages', () => {
    const block = blockConfigFor('post-account-update', parseResolvedConfig({ ...RAW, link: { attribute: 'custom.dynamicsContactId' } }));
    expect(Object.keys(block)).toEqual(['dataverse', 'auth', 'lookup', 'policy', 'link', 'account', 'sync', 'logLevel']);
    expect(block['account']).toEqual({
      emailPaths: ['customer.attributes.emails.primaryEmail', 'customer.info.emails.primaryEmail', 'customer.info.email', 'customer.info.userName'],
      attributePaths: ['customer.attributes', 'customer.info.attributes', 'customer.info'],
    });
    expect(block['sync']).toEqual({
      columns: { firstname: 'name.givenName', new_loyaltynumber: 'custom.loyaltyNumber' },
      createIfMissing: true,
      updateExisting: 'fillEmpty',
    });
  });

  it('gives the account-deletion hook its deletion section and no sync (it writes no attribute value)', () => {
    const block = blockConfigFor('post-account-deletion', parseResolvedConfig({ ...RAW, deletion: { setColumns: { new_deletedon: '$now' } } }));
    expect(Object.keys(block)).toEqual(['dataverse', 'auth', 'lookup', 'policy', 'link', 'account', 'deletion', 'logLevel']);
    expect(block['deletion']).toEqual({ action: 'deactivate', setColumns: { new_deletedon: '$now' } });
    expect(block['policy']).toEqual({ timeoutMs: 4000, maxConcurrentRequests: 10 });
  });

  it.each(['pre-registration', 'post-registration', 'post-identification', 'post-account-update', 'post-account-deletion'] as const)(
    'gives a %s block that validates, as the built file does at load',
    (kind) => {
      const block = blockConfigFor(kind, config);
      expect(parseResolvedConfig(block)).toMatchObject(block);
    },
  );
});
