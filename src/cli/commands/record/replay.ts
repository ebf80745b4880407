import { type RecordedDefinition, TOKEN_PATH } from './scrub.js';

/**
 * Definitions ready for `nock.define`: the token exchange matches whatever `client-request-id`
 * MSAL puts in the query (a random UUID per request).
 */
export function prepareForReplay(definitions: readonly RecordedDefinition[]): Array<RecordedDefinition & { filteringPath?: (path: string) => string }> {
  return definitions.map((definition) =>
    TOKEN_PATH.test(definition.path) ? { ...definition, filteringPath: (path: string) => path.replace(/\?.*$/, '') } : { ...definition },
  );
}
