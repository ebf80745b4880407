/**
 * Read-only Dataverse probes for `doctor`: who the app is, whether it may read contacts, which
 * columns `contact` has, and which contact privileges its roles grant. Each is one request through
 * the same dynamics-web-api client the hook uses, and each failure is classified by
 * `classifyDataverseError`, so `doctor` explains exactly what the hook would hit. None of them
 * returns a contact's data.
 */
import type { DynamicsWebApi } from 'dynamics-web-api';
import { z } from 'zod';
import { type Config, GUID } from '../hook/config.js';
import { withMalformedBodyGuard } from '../hook/resilience/crash-guard.js';
import { classifyDataverseError } from '../hook/dataverse.js';
import { HookError } from '../hook/errors.js';
import { emailFilter } from '../hook/odata.js';

export interface ProbeRequest {
  readonly token: string;
  /**
   * Ends the wait (the guard races the call against it). Not handed to `callFunction`:
   * dynamics-web-api 2.5.0 copies a function request with `copyObject`, not `copyRequest`
   * (dist/esm/dynamics-web-api.mjs, `callFunction`), which turns the AbortSignal into a plain
   * object that `https.request` rejects with ERR_INVALID_ARG_TYPE.
   */
  readonly signal: AbortSignal;
}

/**
 * The per-request limit of an operator's check (`doctor`, `record`), in ms: `policy.timeoutMs` is
 * sized for a registration on a warm hook, while a check starts cold (a first token request from a
 * workstation), so it gets at least 10 s.
 */
export function probeTimeoutMs(config: Config): number {
  return Math.max(config.policy.timeoutMs, 10_000);
}

const guidString = z.string().regex(GUID);

const whoAmISchema = z.looseObject({ UserId: guidString, BusinessUnitId: guidString, OrganizationId: guidString });
export type WhoAmI = z.infer<typeof whoAmISchema>;

async function send<T>(operation: () => Promise<unknown>, schema: z.ZodType<T>, signal: AbortSignal): Promise<T> {
  let response: unknown;
  try {
    response = await withMalformedBodyGuard(operation, signal);
  } catch (error) {
    throw classifyDataverseError(error);
  }
  const parsed = schema.safeParse(response);
  if (!parsed.success) throw new HookError('bad_response', 'Dataverse returned a response of an unexpected shape.', { stage: 'dataverse' });
  return parsed.data;
}

/**
 * `GET WhoAmI()`: the cheapest call that proves the token is accepted and the app has an
 * Application User here. For an app-only token, `UserId` is that Application User's systemuserid.
 */
export function whoAmI(client: DynamicsWebApi, request: ProbeRequest): Promise<WhoAmI> {
  return send(() => client.callFunction({ name: 'WhoAmI', token: request.token }), whoAmISchema, request.signal);
}

/**
 * An address no contact has (`.invalid` is reserved, RFC 2606): the read probe runs the hook's own
 * filter on the configured email fields, which proves `prvReadContact` and the filter syntax while
 * returning no personal data.
 */
export const PROBE_EMAIL = 'dynamics-hook-doctor@example.invalid';

/** The hook's lookup query, once, for an address that matches nothing. Returns the number of rows. */
export async function probeContactRead(client: DynamicsWebApi, config: Config, request: ProbeRequest): Promise<number> {
  const result = await send(
    () =>
      client.retrieveMultiple({
        collection: 'contacts',
        select: ['contactid', ...config.lookup.emailFields],
        filter: emailFilter(PROBE_EMAIL, config.lookup.emailFields, config.lookup.activeOnly),
        top: 1,
        token: request.token,
        signal: request.signal,
      }),
    z.looseObject({ value: z.array(z.unknown()) }),
    request.signal,
  );
  return result.value.length;
}

/**
 * Logical names of every column of `contact`, from metadata:
 * `GET EntityDefinitions(LogicalName='contact')/Attributes?$select=LogicalName`. dynamics-web-api's
 * `retrieveAttributes` builds exactly this path; `retrieveMultiple` would lower-case the collection.
 */
export async function contactColumns(client: DynamicsWebApi, request: ProbeRequest): Promise<Set<string>> {
  const result = await send(
    () => client.retrieveAttributes({ entityKey: "LogicalName='contact'", select: ['LogicalName'], token: request.token, signal: request.signal }),
    z.looseObject({ value: z.array(z.looseObject({ LogicalName: z.string() })) }),
    request.signal,
  );
  return new Set(result.value.map((attribute) => attribute.LogicalName));
}

/** Privilege depth as Dataverse reports it (`PrivilegeDepth`: Basic = user, Local = business unit, ...). */
export type PrivilegeDepth = 'Basic' | 'Local' | 'Deep' | 'Global' | 'unknown';

const DEPTHS: readonly PrivilegeDepth[] = ['Basic', 'Local', 'Deep', 'Global'];

const privilegesSchema = z.looseObject({
  RolePrivileges: z.array(z.looseObject({ PrivilegeName: z.string().optional(), Depth: z.union([z.string(), z.number()]).optional() })),
});

/**
 * The privileges the Application User holds through its roles and teams, by name:
 * `GET systemusers(<id>)/Microsoft.Dynamics.CRM.RetrieveUserPrivileges()`. Chosen over
 * `RetrievePrincipalAccess`, which needs an existing record to ask about, so it cannot tell whether
 * the app may *create* a contact. Needs read access to the app's own user record.
 */
export async function userPrivileges(client: DynamicsWebApi, userId: string, request: ProbeRequest): Promise<Map<string, PrivilegeDepth>> {
  if (!GUID.test(userId)) throw new HookError('bad_response', 'The user id is not a GUID.', { stage: 'dataverse' });
  const result = await send(
    () =>
      client.callFunction({
        name: 'Microsoft.Dynamics.CRM.RetrieveUserPrivileges',
        collection: 'systemusers',
        key: userId,
        token: request.token,
      }),
    privilegesSchema,
    request.signal,
  );
  const byName = new Map<string, PrivilegeDepth>();
  for (const privilege of result.RolePrivileges) {
    if (privilege.PrivilegeName === undefined) continue;
    byName.set(privilege.PrivilegeName, depthOf(privilege.Depth));
  }
  return byName;
}

function depthOf(value: string | number | undefined): PrivilegeDepth {
  // The Web API serialises the enum by member name; its numeric values are Basic 0 ... Global 3.
  if (typeof value === 'number') return DEPTHS[value] ?? 'unknown';
  return DEPTHS.find((depth) => depth === value) ?? 'unknown';
}
