/**
 * What a failure means and what to do about it, in the words an administrator needs: the cause
 * (which piece of the Entra app / Application User / security role / config chain is wrong) and
 * the fix (where to click). Used by `doctor`, `try` and `record`; the README's troubleshooting
 * table is written from this file.
 *
 * Only the HookError's fields are read (code, status, AADSTS number, Dataverse code, the safe
 * diagnostic), plus one thing from the cause: the privilege name in a Dataverse "is missing
 * prvXxx privilege" message. Config values shown here (client id, tenant id, URL, variable name)
 * are identifiers from the config file, never secrets.
 */
import type { Config } from '../../../hook/config.js';
import type { HookError } from '../../../hook/errors.js';

export interface Diagnosis {
  readonly cause: string;
  readonly fix: string;
}

/** Where to add an Application User (Microsoft's UI path, as of the Power Platform admin center 2024+). */
export const APPLICATION_USERS_PATH = 'Power Platform admin center > Environments > (your environment) > Settings > Users + permissions > Application users';
const SECURITY_ROLES_PATH = 'Power Platform admin center > Environments > (your environment) > Settings > Users + permissions > Security roles';
const SECRETS_PATH = 'Microsoft Entra admin center > App registrations > (your app) > Certificates & secrets';

/** The security-role setting that grants a privilege (table, column in the role editor). */
const PRIVILEGE_SETTINGS: Readonly<Record<string, string>> = {
  prvReadContact: 'Contact: Read',
  prvWriteContact: 'Contact: Write',
  prvCreateContact: 'Contact: Create',
  prvReadUser: 'User: Read',
  prvReadEntity: 'Entity (Customization tab): Read',
  prvReadAttribute: 'Attribute (Customization tab): Read',
};

/** `prvReadContact` -> "Contact: Read" (the row and column to tick in the security role editor). */
export function privilegeSetting(privilege: string): string {
  return PRIVILEGE_SETTINGS[privilege] ?? privilege;
}

/**
 * The privilege named in Dataverse's 403 text ("... is missing prvReadContact privilege ..."). A
 * privilege name is schema, not data, so it may be shown; nothing else of the message is.
 */
export function missingPrivilegeOf(error: HookError): string | undefined {
  const cause = error.cause as { message?: unknown } | undefined;
  const message = typeof cause?.message === 'string' ? cause.message : '';
  return /missing (prv[A-Za-z0-9_]+) privilege/.exec(message)?.[1];
}

/** Cause and fix for a failure at any stage. `config` may be undefined when the config itself is invalid. */
export function diagnose(error: HookError, config: Config | undefined): Diagnosis {
  if (error.stage === 'config') return diagnoseConfig(error);
  if (error.stage === 'token') return diagnoseToken(error, config);
  return diagnoseDataverse(error, config);
}

const ENVIRONMENT_URL_FIX =
  'Set dataverse.url to the environment URL instead: Power Platform admin center > Environments > (your environment) > Details > Environment URL (https://<name>.crm<N>.dynamics.com).';

/**
 * A failed Global Discovery Service lookup. GDS is documented for signed-in users; for an app-only
 * token the dependable fix is always to give the URL.
 */
export function diagnoseDiscovery(error: HookError, config: Config | undefined): Diagnosis {
  const refused = error.status === 401 || error.status === 403 || error.aadsts === 500011;
  if (refused) {
    return {
      cause: `The Global Discovery Service refused the app-only token (${error.aadsts === undefined ? `HTTP ${error.status}` : `AADSTS${error.aadsts}`}); it is documented for signed-in users, and client-credential access is not guaranteed.`,
      fix: ENVIRONMENT_URL_FIX,
    };
  }
  if (error.code === 'not_found') {
    return {
      cause: `No environment named "${config?.dataverse.organization ?? ''}" (unique name or URL name) is visible to this app${error.diagnostic === undefined ? '' : ` (${error.diagnostic})`}.`,
      fix: ENVIRONMENT_URL_FIX,
    };
  }
  return { cause: `The Global Discovery Service lookup failed: ${diagnose(error, config).cause}`, fix: ENVIRONMENT_URL_FIX };
}

function diagnoseConfig(error: HookError): Diagnosis {
  const variable = /^variable (\S+) /.exec(error.diagnostic ?? '')?.[1];
  if (variable !== undefined) {
    return {
      cause: /^variable \S+ is not set$/.test(error.diagnostic ?? '')
        ? `The variable ${variable} is not set in this shell.`
        : `${error.message} (${error.diagnostic}).`,
      fix: `Set ${variable} in this shell (export ${variable}=...) to the value you will store as the Strivacity hook secret of the same name.`,
    };
  }
  return {
    cause: `${error.message}${error.diagnostic === undefined ? '' : ` ${error.diagnostic}.`}`,
    fix: 'Correct the keys named above in the config file (see the README, "Configuration").',
  };
}

function diagnoseToken(error: HookError, config: Config | undefined): Diagnosis {
  const clientId = config?.auth.clientId ?? 'auth.clientId';
  const tenantId = config?.auth.tenantId ?? 'auth.tenantId';
  const variable = config?.auth.clientSecretVariable ?? config?.auth.clientCertificate?.privateKeyVariable ?? 'the secret variable';
  const url = config?.dataverse.url ?? 'dataverse.url';
  switch (error.aadsts) {
    case 7000215:
      return {
        cause: 'Entra rejected the client secret (AADSTS7000215): the value is wrong, or the secret\'s "Secret ID" was copied instead of its "Value".',
        fix: `${SECRETS_PATH}: add a new client secret, copy its Value (shown only once) into ${variable} here and into the Strivacity hook secret.`,
      };
    case 7000222:
      return {
        cause: 'The client secret has expired (AADSTS7000222).',
        fix: `${SECRETS_PATH}: add a new client secret, put its Value in ${variable} here and in the Strivacity hook secret, then delete the expired one. Note the new expiry date.`,
      };
    case 700016:
      return {
        cause: `No application with client id ${clientId} exists in tenant ${tenantId} (AADSTS700016).`,
        fix: 'Set auth.clientId to the "Application (client) ID" and auth.tenantId to the "Directory (tenant) ID", both from the Overview page of the same app registration.',
      };
    case 90002:
      return {
        cause: `Tenant ${tenantId} was not found (AADSTS90002), or it lives in another cloud.`,
        fix: 'Set auth.tenantId to the "Directory (tenant) ID" from Microsoft Entra admin center > Overview; for a US Government or China tenant set auth.cloud to usgov or china.',
      };
    case 500011:
      return {
        cause: `Entra found no resource ${url} in this tenant (AADSTS500011): the Dataverse URL or the cloud is wrong, or the environment belongs to another tenant.`,
        fix: 'Copy the "Environment URL" from Power Platform admin center > Environments > (your environment) into dataverse.url; for GCC High/DoD or China set auth.cloud.',
      };
    case 700027:
      return {
        cause:
          'Entra could not verify the client assertion (AADSTS700027): the private key does not belong to a certificate uploaded to this app, or the thumbprint is wrong.',
        fix: `${SECRETS_PATH} > Certificates: upload the certificate whose private key is in ${variable}, and copy its SHA-256 thumbprint into auth.clientCertificate.thumbprintSha256.`,
      };
    default:
      break;
  }
  switch (error.code) {
    case 'network':
      return {
        cause: 'Entra ID could not be reached (DNS, proxy or network).',
        fix: 'Check this machine reaches the Entra login host over HTTPS. Behind a proxy, set HTTPS_PROXY (dynamics-hook sends its Entra and Dataverse calls through it; hosts in NO_PROXY go directly).',
      };
    case 'timeout':
      return {
        cause: 'The token request did not finish within policy.timeoutMs.',
        fix: 'Try again; if it persists, check the network path to Entra ID or raise policy.timeoutMs.',
      };
    case 'throttled':
    case 'server':
      return {
        cause: `Entra is throttling or failing (${error.status ?? 'no status'}).`,
        fix: 'Wait a minute and run again; see https://status.cloud.microsoft for incidents.',
      };
    default:
      break;
  }
  if (error.aadsts !== undefined) {
    return {
      cause: `Entra refused the token request (AADSTS${error.aadsts}${error.diagnostic === undefined ? '' : `, ${error.diagnostic}`}).`,
      fix: `Look the code up at https://login.microsoftonline.com/error?code=${error.aadsts} and correct the app registration or auth settings.`,
    };
  }
  return { cause: `${error.message} (${error.code}).`, fix: 'Check auth.tenantId, auth.clientId and the credential.' };
}

function diagnoseDataverse(error: HookError, config: Config | undefined): Diagnosis {
  const clientId = config?.auth.clientId ?? 'auth.clientId';
  if (error.status === 401) {
    return {
      cause: `Dataverse refused the token (401)${error.diagnostic === undefined ? '' : `: ${error.diagnostic}`}. The token's audience or tenant does not match this environment.`,
      fix: "Check dataverse.url is this environment's URL (the token is requested for <url>/.default) and auth.tenantId is the tenant the environment belongs to.",
    };
  }
  if (error.status === 403) {
    if (error.dataverseCode === '0x80072560') {
      return {
        cause: `The app ${clientId} has no Application User in this environment (0x80072560 "The user is not a member of the organization").`,
        fix: `${APPLICATION_USERS_PATH} > + New app user: pick the app (client id ${clientId}), a business unit, and a security role that can read contacts.`,
      };
    }
    if (error.dataverseCode === '0x80095ffc') {
      return {
        cause: 'Dataverse API access is restricted for this application id (0x80095ffc).',
        fix: 'Ask a Power Platform administrator to allow this app id for the Dataverse API in the tenant settings.',
      };
    }
    const privilege = missingPrivilegeOf(error);
    if (privilege !== undefined) {
      return {
        cause: `The Application User's security role lacks ${privilege} (${error.dataverseCode ?? '403'}).`,
        fix: `${SECURITY_ROLES_PATH} > (the role of the app user): grant "${privilegeSetting(privilege)}" at Organization (or Business Unit) level, save, and wait a minute.`,
      };
    }
    return {
      cause: `Dataverse denied access (403${error.dataverseCode === undefined ? '' : `, ${error.dataverseCode}`}).`,
      fix: `Check the Application User of ${clientId} and its security role (${APPLICATION_USERS_PATH}).`,
    };
  }
  switch (error.code) {
    case 'not_found':
      return {
        cause: 'Dataverse answered 404: the Web API path does not exist.',
        fix: 'Check dataverse.url (the environment URL, nothing after the host) and dataverse.apiVersion (9.2).',
      };
    case 'config':
      return {
        cause: `Dataverse rejected the query (400${error.dataverseCode === undefined ? '' : `, ${error.dataverseCode}`}): a configured column does not exist.`,
        fix: 'Correct the column names in enrich / sync.columns (logical names, lower case).',
      };
    case 'network':
      return {
        cause: 'Dataverse could not be reached (DNS, proxy or network).',
        fix: 'Check dataverse.url; open it in a browser from this machine. Behind a proxy, set HTTPS_PROXY (and leave the host out of NO_PROXY).',
      };
    case 'timeout':
      return {
        cause: 'Dataverse did not answer within the time allowed.',
        fix: 'Run again; if it persists, the environment is slow or unreachable: raise policy.timeoutMs or check the network.',
      };
    case 'throttled':
      return {
        cause: 'Dataverse throttled the request (429, service protection limits).',
        fix: 'Wait for the Retry-After period; other integrations using the same Application User share its limits.',
      };
    case 'server':
      return {
        cause: `Dataverse failed the request (${error.status ?? '5xx'}).`,
        fix: "Run again in a few minutes; check the environment's state in the Power Platform admin center.",
      };
    default:
      return {
        cause: `${error.message} (${error.code}${error.status === undefined ? '' : `, HTTP ${error.status}`}).`,
        fix: 'Run with the same config again; if it persists, record the exchange with `record` and look at the scrubbed responses.',
      };
  }
}
