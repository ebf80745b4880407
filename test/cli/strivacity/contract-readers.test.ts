/**
 * The readers of `contract`, on code and bodies of the shapes Strivacity publishes and on the
 * shapes a generated default might take instead: what each finds, and that it finds nothing it
 * was not shown (a decoy in a comment, a built-in class, a value instead of a path).
 */
import { describe, expect, it } from 'vitest';
import { MAX_KEY_DEPTH, MAX_KEY_PATHS, readBodyPaths } from '../../../src/cli/commands/contract/read-body.js';
import { readArgumentPaths, readExportedFunction, readResultClasses } from '../../../src/cli/commands/contract/read-code.js';
import { selectTypes } from '../../../src/cli/commands/contract/run-contract.js';
import { probeName } from '../../../src/cli/commands/contract/probe-type.js';

const PUBLISHED_SHAPE = `/** Called before registration.
 *
 * @param {Object}   args                         Input arguments
 * @param {string}   args.application.name        Name
 * @param {string[]} args.oidc_context.ui_locales UI locales
 * @param {Object}   [args.customer.attributes]   Attributes
 * @param {Object[]} args.customer.consents[].id  Consent ids
 * @param {preRegistrationCallback} callback
 * @param {denyRequestCallback} deny
 */
module.exports = async function({ application, oidc_context, customer, session: store = {}, ...rest }, callback, deny) {
    // module.exports = async function (decoy, nope) {}
    callback(new RegistrationData(customer.attributes, [], session));
    const url = new URL('https://example.com'); throw new Error(String(url));
};

/** @callback preRegistrationCallback
 * @param {RegistrationData|RedirectRequest|ShowErrorMessage} token
 */
/** @callback denyRequestCallback
 * @param {DenyRequest} error
 */
class RegistrationData { constructor(attributes, additionalAuthenticators, session) {} }
/** ShowErrorMessage is a global object */
`;

describe('readArgumentPaths', () => {
  it('lists the paths under the JSDoc root of the export, with their types, optional ones and arrays included', () => {
    expect(readArgumentPaths(PUBLISHED_SHAPE)).toEqual([
      { path: 'application.name', type: 'string' },
      { path: 'oidc_context.ui_locales', type: 'string[]' },
      { path: 'customer.attributes', type: 'Object' },
      { path: 'customer.consents[].id', type: 'Object[]' },
    ]);
  });

  it('reads only the block right above the export, not a @param of some other function', () => {
    const code = '/**\n * @param {string} other.path\n */\nfunction helper(other) {}\n\nmodule.exports = async function (args, callback) {};\n';
    expect(readArgumentPaths(code)).toEqual([]);
  });

  it('follows module.exports = <name> to the documented declaration', () => {
    const code = '/**\n * @param {Object} event\n * @param {string} event.user.id\n */\nasync function handler(event, done) {}\nmodule.exports = handler;\n';
    expect(readArgumentPaths(code)).toEqual([{ path: 'user.id', type: 'string' }]);
    expect(readExportedFunction(code)).toEqual({ argument: { name: 'event' }, callbacks: ['done'] });
  });

  it('keeps dotted names as they are when the block has no root parameter', () => {
    expect(readArgumentPaths('/** @param {string} customer.info.id */\nmodule.exports = (customer) => {};')).toEqual([
      { path: 'customer.info.id', type: 'string' },
    ]);
  });

  it('finds nothing in code without JSDoc or without an export', () => {
    expect(readArgumentPaths('module.exports = async function (args, callback) {\n  // implement your logic here\n};\n')).toEqual([]);
    expect(readArgumentPaths('/** @param {Object} args\n * @param {string} args.a */\nfunction f(args) {}')).toEqual([]);
  });
});

describe('readExportedFunction', () => {
  it('reads the destructured names and the callback parameters, ignoring a decoy export in a comment', () => {
    expect(readExportedFunction(PUBLISHED_SHAPE)).toEqual({
      argument: { destructures: ['application', 'oidc_context', 'customer', 'session', 'rest'] },
      callbacks: ['callback', 'deny'],
    });
  });

  it('reads arrow functions, a single parameter without parentheses, and exports.handler', () => {
    expect(readExportedFunction('module.exports = async (args, callback = () => {}) => {};')).toEqual({ argument: { name: 'args' }, callbacks: ['callback'] });
    expect(readExportedFunction('module.exports = async args => {};')).toEqual({ argument: { name: 'args' }, callbacks: [] });
    expect(readExportedFunction('exports.handler = function handler(event, ok, fail) {};')).toEqual({ argument: { name: 'event' }, callbacks: ['ok', 'fail'] });
  });

  it('says undefined when there is no exported function to read', () => {
    expect(readExportedFunction('// module.exports = function (a, b) {}\nconsole.log("x");')).toBeUndefined();
    expect(readExportedFunction('module.exports = { handler };')).toBeUndefined();
  });
});

describe('readResultClasses', () => {
  it('names declared classes, built and documented globals and the @callback types, in order, without built-ins', () => {
    expect(readResultClasses(PUBLISHED_SHAPE)).toEqual([
      { name: 'RegistrationData', declared: true },
      { name: 'RedirectRequest', declared: false },
      { name: 'ShowErrorMessage', declared: false },
      { name: 'DenyRequest', declared: false },
    ]);
  });

  it('reads the answers a default template shows only in comments', () => {
    const code =
      'module.exports = async function (args, callback, error) {\n  // implement your logic here\n  //success callback(new AllowAuthentication(session));\n  //error error(new ErrorDenyRequest("description", "hint"));\n};\n';
    expect(readResultClasses(code)).toEqual([
      { name: 'AllowAuthentication', declared: false },
      { name: 'ErrorDenyRequest', declared: false },
    ]);
  });
});

describe('readBodyPaths', () => {
  it('lists leaf paths with [] for arrays and never a value', () => {
    const body = JSON.stringify({
      customer: { attributes: { emails: { primaryEmail: 'person@example.com' } }, consents: [{ id: 'c1' }, { id: 'c2', optIn: true }] },
      tags: [],
      session: {},
    });
    const read = readBodyPaths(body);
    expect(read).toEqual({
      json: true,
      paths: ['customer.attributes.emails.primaryEmail', 'customer.consents[].id', 'customer.consents[].optIn', 'tags[]', 'session'],
      truncated: false,
    });
    expect(JSON.stringify(read)).not.toContain('person@example.com');
  });

  it('says when the body is absent or not JSON', () => {
    expect(readBodyPaths(undefined)).toEqual({ json: false, paths: [], truncated: false });
    expect(readBodyPaths('*example code*')).toEqual({ json: false, paths: [], truncated: false });
  });

  it('stops at its bounds and says so', () => {
    const wide = Object.fromEntries(Array.from({ length: MAX_KEY_PATHS + 10 }, (_, index) => [`k${index}`, index]));
    expect(readBodyPaths(JSON.stringify(wide))).toMatchObject({ truncated: true });
    expect(readBodyPaths(JSON.stringify(wide)).paths).toHaveLength(MAX_KEY_PATHS);
    let deep: unknown = 'leaf';
    for (let level = 0; level < MAX_KEY_DEPTH + 5; level += 1) deep = { d: deep };
    expect(readBodyPaths(JSON.stringify(deep))).toEqual({ json: true, paths: [], truncated: true });
  });
});

describe('selectTypes and probeName', () => {
  const descriptor = [{ name: 'PRE_REGISTRATION' }, { name: 'POST_ACCOUNT_UPDATE' }, { name: '../evil' }, { name: 'PRE_REGISTRATION' }];

  it('keeps the descriptor order, matches names case-insensitively, and never selects a name that is not a type name', () => {
    expect(selectTypes(descriptor, ['post_account_update', 'PRE_REGISTRATION']).map((row) => row.name)).toEqual(['PRE_REGISTRATION', 'POST_ACCOUNT_UPDATE']);
    expect(selectTypes(descriptor, 'all').map((row) => row.name)).toEqual(['PRE_REGISTRATION', 'POST_ACCOUNT_UPDATE']);
  });

  it('names temporary hooks within the API limit of 64 characters, even for the longest type', () => {
    expect(probeName('PRE_SAML2_ASSERTION_GENERATION')).toMatch(/^dynamics-hook contract probe PRE_SAML2_ASSERTION_GENERATION [0-9a-f]{4}$/);
    expect(probeName('PRE_SAML2_ASSERTION_GENERATION')).toHaveLength(64);
    expect(probeName('PRE_REGISTRATION')).toMatch(/^dynamics-hook contract probe PRE_REGISTRATION [0-9a-f]{8}$/);
  });
});
