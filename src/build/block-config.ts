/**
 * What each built file's config block holds: only the keys that hook reads, with what it would
 * otherwise derive written out, so the pasted file shows what it will do. Keys left out take their
 * defaults when the built file parses HOOK_CONFIG at load, which no code path of that hook reads.
 */
import { type ResolvedConfig, syncColumnsOf, updateExistingOf } from '../hook/config.js';
import type { HookKind } from './artifact.js';

/** The config a hook of `kind` carries, from the config validated with every default applied. */
export function blockConfigFor(kind: HookKind, config: ResolvedConfig): Record<string, unknown> {
  // `$schema` only guides editors; `sync` is read by the post-registration hook alone, `login` by
  // the sign-in gate, `externalRegistration` by the social sign-up gate.
  if (kind === 'pre-registration') return omitKeys(config, ['$schema', 'sync', 'login', 'externalRegistration']);
  // The registration's decision, with where this kind reads the email written out (assumed paths
  // an administrator is likely to change once probe has shown the real ones).
  if (kind === 'pre-external-registration') return omitKeys(config, ['$schema', 'sync', 'login']);
  if (kind === 'post-identification') {
    // The gate's own policies are under login; of policy it reads the multiple-match rule and the caps.
    const { multipleMatches, maxConcurrentRequests, maxValueLength } = config.policy;
    return {
      dataverse: config.dataverse,
      auth: config.auth,
      lookup: config.lookup,
      login: config.login,
      link: config.link,
      policy: { multipleMatches, maxConcurrentRequests, maxValueLength },
      messages: config.messages,
      logLevel: config.logLevel,
    };
  }
  const { timeoutMs, maxConcurrentRequests, maxValueLength } = config.policy;
  return {
    dataverse: config.dataverse,
    auth: config.auth,
    lookup: config.lookup,
    policy: { timeoutMs, maxConcurrentRequests, maxValueLength },
    // Written out: the columns it writes (enrich reversed unless set), whether it creates contacts
    // and what it does to one that exists.
    sync: { columns: syncColumnsOf(config), createIfMissing: config.sync?.createIfMissing ?? true, updateExisting: updateExistingOf(config) },
    logLevel: config.logLevel,
  };
}

function omitKeys(object: object, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([key]) => !keys.includes(key)));
}
