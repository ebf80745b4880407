/**
 * What the Strivacity commands share: the flags that name the instance and the hook
 * (`--strivacity`, `--config`, `--hook`, `--name`), the client built from them, and the finding of
 * the hook by name and type.
 */
import { readFileSync } from 'node:fs';
import { RUNTIME_PACKAGES, type HookKind } from '../../build/artifact.js';
import { HOOK_KIND_NAMES, HOOK_KINDS, isHookKind } from '../../build/kinds.js';
import { closestName } from '../closest-name.js';
import { parseResolvedConfig, type ResolvedConfig } from '../../hook/config.js';
import type { ArgsDef } from '../args.js';
import { required, SHARED_ARGS } from '../shared-args.js';
import { AdminClient, type HookType } from './admin-client.js';
import { parseTenantUrl, readAdminCredentials } from './admin-token.js';
import { UsageError } from '../errors.js';
import { readJsonFile } from '../files.js';

/** The Admin API type of each kind (from the kind table). */
export const HOOK_TYPE = Object.fromEntries(HOOK_KINDS.map((kind) => [kind.name, kind.strivacityType])) as Readonly<Record<HookKind, HookType>>;

/** Default hook names (3 to 64 characters, as the API requires). */
export const DEFAULT_HOOK_NAME = Object.fromEntries(HOOK_KINDS.map((kind) => [kind.name, kind.defaultHookName])) as Readonly<Record<HookKind, string>>;

/** The flags every Strivacity command takes. */
export const TARGET_ARGS = {
  // Else the config's strivacity.url (readTarget says which is missing).
  strivacity: SHARED_ARGS.strivacity,
  config: required(SHARED_ARGS.config),
  hook: SHARED_ARGS.hook,
  name: SHARED_ARGS.name,
  json: SHARED_ARGS.json,
} as const satisfies ArgsDef;

export interface Target {
  readonly tenant: URL;
  readonly kind: HookKind;
  readonly type: HookType;
  readonly name: string;
  readonly rawConfig: unknown;
  readonly config: ResolvedConfig;
}

/** Validates the shared flags and reads the config (a bad config is a HookError naming the keys). */
export function readTarget(values: { strivacity?: string | undefined; config: string; hook: HookKind; name?: string | undefined }): Target {
  const kind = values.hook;
  const rawConfig = readJsonFile(values.config);
  const config = parseResolvedConfig(rawConfig);
  checkHookNames(config.strivacity?.hookNames);
  const tenant = parseTenantUrl(values.strivacity ?? config.strivacity?.url);
  const name = hookNameOf(values.name ?? config.strivacity?.hookNames?.[kind], kind);
  return { tenant, kind, type: HOOK_TYPE[kind], name, rawConfig, config };
}

/** A `strivacity.hookNames` key that names no kind is a typo: said at once, with the nearest kind. */
export function checkHookNames(hookNames: Readonly<Record<string, string>> | undefined): void {
  for (const key of Object.keys(hookNames ?? {})) {
    if (isHookKind(key)) continue;
    const nearest = closestName(key, new Set(HOOK_KIND_NAMES));
    throw new UsageError(`strivacity.hookNames has '${key}', which is not a hook kind${nearest === undefined ? '' : `: did you mean '${nearest}'?`}`);
  }
}

/** `--name`, else the kind's default; the API takes 3 to 64 characters. */
export function hookNameOf(name: string | undefined, kind: HookKind): string {
  const chosen = name ?? DEFAULT_HOOK_NAME[kind];
  if (chosen.length < 3 || chosen.length > 64) throw new UsageError('--name must have 3 to 64 characters.');
  return chosen;
}

/** A client for `target` with exactly the scopes the command needs. Reads the credentials from the environment. */
export function openClient(target: Pick<Target, 'tenant'>, scopes: readonly string[], signal?: AbortSignal, timeoutMs?: number): AdminClient {
  return new AdminClient({
    tenant: target.tenant,
    credentials: readAdminCredentials(),
    scopes,
    ...(signal === undefined ? {} : { signal }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...retryDelaysFromEnv(),
  });
}

/** `DYNAMICS_HOOK_RETRY_DELAYS_MS=0,0` lets tests skip the backoff; unset, the client's default applies. */
function retryDelaysFromEnv(): { retryDelaysMs?: number[] } {
  const value = process.env['DYNAMICS_HOOK_RETRY_DELAYS_MS'];
  if (value === undefined || !/^\d+(,\d+)*$/.test(value)) return {};
  return { retryDelaysMs: value.split(',').map(Number) };
}

/** `engines.node` of each package the hook requires, at the installed (pinned) version. */
export function runtimeEngines(): Record<string, { version: string; node: string | undefined }> {
  return Object.fromEntries(
    RUNTIME_PACKAGES.map((name) => {
      const manifest = JSON.parse(readFileSync(new URL(`../../../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as {
        version: string;
        engines?: { node?: string };
      };
      return [name, { version: manifest.version, node: manifest.engines?.node }];
    }),
  );
}

/** The variable that holds the Dynamics credential, as the config names it. */
export function secretVariableOf(config: ResolvedConfig): string {
  return config.auth.clientSecretVariable ?? config.auth.clientCertificate?.privateKeyVariable ?? 'DYNAMICS_CLIENT_SECRET';
}
