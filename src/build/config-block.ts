/**
 * The config block at the top of a built hook: a JavaScript object literal with a comment on each
 * setting an administrator is likely to change, so the pasted file explains itself.
 */
import type { HookKind } from './artifact.js';

const COMMENTS: Record<string, string> = {
  'dataverse.url': 'Dataverse environment URL (https only)',
  'dataverse.apiVersion': 'Web API version',
  'auth.tenantId': 'Entra tenant (directory) ID',
  'auth.clientId': 'App registration (client) ID; needs an Application User in the environment',
  'auth.clientSecretVariable': 'name of the Strivacity secret that holds the client secret value',
  'auth.clientCertificate.thumbprintSha256': 'SHA-256 thumbprint of the certificate uploaded to the app registration',
  'auth.clientCertificate.privateKeyVariable': 'name of the Strivacity secret that holds the PEM private key',
  'auth.cloud': 'public | usgov | china',
  'lookup.emailFields': 'any of emailaddress1, emailaddress2, emailaddress3',
  'lookup.activeOnly': 'true: only active contacts (statecode eq 0)',
  'policy.notFound': 'allow | showError | deny',
  'policy.multipleMatches': 'allowMostRecent | showError | deny',
  'policy.invalidEmail': 'allow | showError | deny',
  'policy.onError': 'allow | showError | deny (token or Dataverse failure, timeout)',
  'policy.timeoutMs': 'whole-hook deadline in milliseconds: token + lookup + retries',
  'policy.maxConcurrentRequests': 'Dataverse requests in flight per hook instance (Dataverse allows 52 per user)',
  'policy.maxValueLength': 'longest text copied from or written to Dataverse; longer values are left out (column logged)',
  enrich: 'Strivacity attribute path -> Dataverse column, copied into the registration',
  enrichOverwrite: 'false: fill only empty attributes; true: the CRM value wins',
  sync: 'post-registration: Dataverse column <- attribute path, and whether to create missing contacts',
  messages: 'shown to the person, by ui_locales; "en" is required',
  logLevel: 'debug | info | warn | error',
};

export function renderConfigBlock(kind: HookKind, config: unknown, packageDependencies: Record<string, string>): string {
  const header = [
    "'use strict';",
    '/*',
    ` * Strivacity ${kind} hook: Microsoft Dynamics 365 (Dataverse contacts).`,
    ' *',
    ' * Hook settings > Dependencies (packageDependencies):',
    ...Object.entries(packageDependencies).map(([name, version]) => ` *   ${name}: ${version}`),
    ' *',
    ' * Secrets are not in this file: create the variables named below (clientSecretVariable or',
    ' * privateKeyVariable) as secrets in the hook settings. HOOK_CONFIG is validated when the hook',
    kind === 'pre-registration'
      ? ' * loads; if it is invalid, every registration gets the generic "unavailable" message and the'
      : ' * loads; if it is invalid, no registration is synced (each one is still completed) and the',
    ' * log names the wrong keys.',
    ' */',
  ];
  return `${header.join('\n')}\nconst HOOK_CONFIG = ${renderValue(config, '', 0)};\n`;
}

function renderValue(value: unknown, path: string, depth: number): string {
  const indent = '  '.repeat(depth + 1);
  const closing = '  '.repeat(depth);
  if (Array.isArray(value)) return JSON.stringify(value);
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  const lines = entries.map(([key, child], index) => {
    const childPath = path === '' ? key : `${path}.${key}`;
    const comma = index < entries.length - 1 ? ',' : '';
    const comment = COMMENTS[childPath];
    const rendered = `${indent}${JSON.stringify(key)}: ${renderValue(child, childPath, depth + 1)}${comma}`;
    return comment === undefined ? rendered : `${indent}// ${comment}\n${rendered}`;
  });
  return `{\n${lines.join('\n')}\n${closing}}`;
}
