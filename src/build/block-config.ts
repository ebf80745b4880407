/**
 * What each built file's config block holds: only the keys that hook reads, with what it would
 * otherwise derive written out, so the pasted file shows what it will do. Keys left out take their
 * defaults when the built file parses HOOK_CONFIG at load, which no code path of that hook reads.
 */
import { type ResolvedConfig, syncColumnsOf, updateExistingOf } from '../hook/config.js';
import type { HookKind } from './artifact.js';

/** The config a hook of `kind` carries, from the config validated with every default applied. */
export function blockConfigFor(kind: HookKind, config: ResolvedConfig): Record<string, unknown> {
  const { dataverse, auth, lookup, link, account, deletion, logLevel } = config;
  const { multipleMatches, timeoutMs, maxConcurrentRequests, maxValueLength } = config.policy;
  switch (kind) {
    case 'pre-registration':
      // `$schema` only guides editors; the other hooks' sections are read by them alone.
      return omitKeys(config, ['$schema', 'strivacity', 'sync', 'login', 'externalRegistration', 'account', 'deletion']);
    case 'pre-external-registration':
      // The registration's decision, with where this kind reads the email written out (assumed paths
      // an administrator is likely to change once probe has shown the real ones).
      return omitKeys(config, ['$schema', 'strivacity', 'sync', 'login', 'account', 'deletion']);
    case 'post-identification':
      // The gate's own policies are under login; of policy it reads the multiple-match rule and the caps.
      return {
        dataverse,
        auth,
        lookup,
        login: config.login,
        link,
        policy: { multipleMatches, maxConcurrentRequests, maxValueLength },
        messages: config.messages,
        logLevel,
      };
    case 'post-registration':
      return { dataverse, auth, lookup, policy: { timeoutMs, maxConcurrentRequests, maxValueLength }, sync: writtenSync(config), logLevel };
    case 'post-account-update':
      // Where its unpublished arguments are read (account) and the link it follows, beside what it writes.
      return { dataverse, auth, lookup, policy: { timeoutMs, maxConcurrentRequests, maxValueLength }, link, account, sync: writtenSync(config), logLevel };
    case 'post-account-deletion':
      // It writes no attribute value, so neither sync nor maxValueLength.
      return { dataverse, auth, lookup, policy: { timeoutMs, maxConcurrentRequests }, link, account, deletion, logLevel };
  }
}

/** Written out: the columns it writes (enrich reversed unless set), whether it creates contacts and what it does to one that exists. */
function writtenSync(config: ResolvedConfig): Record<string, unknown> {
  return { columns: syncColumnsOf(config), createIfMissing: config.sync?.createIfMissing ?? true, updateExisting: updateExistingOf(config) };
}

function omitKeys(object: object, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([key]) => !keys.includes(key)));
}
