/**
 * Resolves `dataverse.organization` to an environment URL through the Global Discovery Service
 * (GDS) of the configured cloud: `GET <gds>/api/discovery/v2.0/Instances`. Operator CLI only; a
 * built hook always carries a URL.
 *
 * GDS lists the environments "the user has access to" and Microsoft documents it with user
 * tokens; whether it serves an app-only (client credentials) token is not documented. So every
 * failure here ends with the same advice: set `dataverse.url` instead. See
 * https://learn.microsoft.com/power-apps/developer/data-platform/discovery-service
 */
import { z } from 'zod';
import { authorityOf, cloudOf, type Cloud, type Config } from '../hook/config.js';
import { classifyDataverseError } from '../hook/dataverse.js';
import { HookError } from '../hook/errors.js';
import type { Logger } from '../hook/log.js';
import { type Credential, TokenSource } from '../hook/token.js';

/** GDS per cloud. GCC (`globaldisco.crm9.dynamics.com`) and DoD (`globaldisco.crm.appsplatform.us`) need `dataverse.url`. */
export const DISCOVERY_URLS: Record<Cloud, string> = {
  public: 'https://globaldisco.crm.dynamics.com',
  usgov: 'https://globaldisco.crm.microsoftdynamics.us',
  china: 'https://globaldisco.crm.dynamics.cn',
};

export const INSTANCES_PATH = '/api/discovery/v2.0/Instances';

const instanceSchema = z.looseObject({
  UniqueName: z.string(),
  UrlName: z.string().optional(),
  FriendlyName: z.string().optional(),
  Url: z.string(),
  ApiUrl: z.string().optional(),
  /** 0 enabled, 1 disabled. */
  State: z.number().optional(),
});
const instancesSchema = z.looseObject({ value: z.array(instanceSchema) });
export type DiscoveredInstance = z.infer<typeof instanceSchema>;

export interface DiscoveryOptions {
  readonly config: Config;
  readonly credential: Credential;
  readonly log: Logger;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

export interface Discovery {
  readonly url: string;
  readonly discoveryUrl: string;
  readonly instance: DiscoveredInstance;
  /** Environments visible to the app, for the report. */
  readonly visible: number;
}

/**
 * Finds the environment whose `UniqueName` or `UrlName` equals `dataverse.organization`
 * (case-insensitively: GDS compares strings case-sensitively, administrators do not). Throws a
 * HookError: from the token stage when Entra refuses a token for GDS, from the Dataverse stage
 * (401/403) when GDS refuses it, and `not_found` when no visible environment matches.
 */
export async function discoverEnvironment(options: DiscoveryOptions): Promise<Discovery> {
  const { config } = options;
  const organization = config.dataverse.organization;
  if (organization === undefined) throw new HookError('config', 'dataverse.organization is not set.', { stage: 'config' });
  const discoveryUrl = DISCOVERY_URLS[cloudOf(config)];
  const timeoutMs = options.timeoutMs ?? 15_000;
  const fetchImpl = options.fetch ?? fetch;
  // The token is for the Global Discovery Service, not for an environment.
  const tokens = new TokenSource({
    clientId: config.auth.clientId,
    authority: authorityOf(config),
    resource: discoveryUrl,
    credential: options.credential,
    requestTimeoutMs: timeoutMs,
    log: options.log,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  let token: string;
  try {
    token = await tokens.getToken(AbortSignal.timeout(timeoutMs));
  } finally {
    tokens.close();
  }
  const instances = await listInstances(fetchImpl, discoveryUrl, token, timeoutMs);
  const wanted = organization.toLowerCase();
  const instance = instances.find((candidate) => candidate.UniqueName.toLowerCase() === wanted || candidate.UrlName?.toLowerCase() === wanted);
  if (instance === undefined) {
    throw new HookError('not_found', 'The Global Discovery Service lists no environment of that name.', {
      stage: 'dataverse',
      diagnostic: `it sees ${instances.length} environment(s)`,
    });
  }
  if (instance.State === 1) throw new HookError('not_found', 'The environment is disabled.', { stage: 'dataverse', diagnostic: 'GDS State 1 (disabled)' });
  const url = httpsOrigin(instance.Url);
  if (url === undefined)
    throw new HookError('bad_response', 'The Global Discovery Service returned an environment without an https URL.', { stage: 'dataverse' });
  return { url, discoveryUrl, instance, visible: instances.length };
}

async function listInstances(fetchImpl: typeof fetch, discoveryUrl: string, token: string, timeoutMs: number): Promise<DiscoveredInstance[]> {
  const url = `${discoveryUrl}${INSTANCES_PATH}?$select=UniqueName,UrlName,FriendlyName,Url,ApiUrl,State`;
  let response: Response;
  try {
    response = await fetchImpl(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw classifyDataverseError(
      error instanceof Error && error.name === 'TimeoutError' ? { name: 'AbortError', cause: error } : { code: 'ECONNRESET', cause: error },
    );
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    // The same shape dynamics-web-api rejects with, so one classifier reads both.
    const headers = Object.fromEntries(response.headers.entries());
    const code = (body as { error?: { code?: unknown } } | undefined)?.error?.code;
    throw classifyDataverseError({ status: response.status, code, headers });
  }
  const parsed = instancesSchema.safeParse(body);
  if (!parsed.success) throw new HookError('bad_response', 'The Global Discovery Service returned a response of an unexpected shape.', { stage: 'dataverse' });
  return parsed.data.value;
}

function httpsOrigin(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}
