/**
 * The starter config that `dynamics-hook init` writes: JSON with comments (the config reader
 * accepts comments and trailing commas), one comment per setting saying where its value comes from.
 */
import type { ConfigInput } from '../../../hook/config.js';

export interface StarterValues {
  readonly url: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecretVariable: string;
  readonly notFound: 'allow' | 'showError' | 'deny';
  readonly multipleMatches: 'allowMostRecent' | 'showError' | 'deny';
  readonly onError: 'allow' | 'showError' | 'deny';
  /** Strivacity attribute path -> Dataverse column. */
  readonly enrich: Readonly<Record<string, string>>;
}

/** The config object the text describes (what the hook will read), for validation before writing. */
export function starterConfig(values: StarterValues, schemaPath: string): ConfigInput & { $schema: string } {
  return {
    $schema: schemaPath,
    dataverse: { url: values.url },
    auth: { tenantId: values.tenantId, clientId: values.clientId, clientSecretVariable: values.clientSecretVariable },
    policy: { notFound: values.notFound, multipleMatches: values.multipleMatches, onError: values.onError },
    enrich: { ...values.enrich },
  };
}

const q = (value: string) => JSON.stringify(value);

/** The file's text; `schemaPath` is relative to the file's folder. */
export function renderStarterConfig(values: StarterValues, schemaPath: string): string {
  const enrich = Object.entries(values.enrich).map(([path, column]) => `    ${q(path)}: ${q(column)},`);
  return [
    '// Strivacity hooks backed by Microsoft Dynamics 365: written by `dynamics-hook init`.',
    '// Comments and trailing commas are allowed. Every key is described in the schema below',
    '// (editors complete and check the file) and in the README, "Configuration".',
    '// No secret goes in this file: it names the variable that holds one.',
    '{',
    `  "$schema": ${q(schemaPath)},`,
    '  "dataverse": {',
    '    // Power Platform admin center > Environments > (your environment) > Environment URL: the origin only.',
    `    "url": ${q(values.url)},`,
    '  },',
    '  "auth": {',
    '    // Microsoft Entra admin center > App registrations > (your app) > Overview.',
    `    "tenantId": ${q(values.tenantId)}, // Directory (tenant) ID`,
    `    "clientId": ${q(values.clientId)}, // Application (client) ID; the app needs an Application User in the environment`,
    "    // The variable (a Strivacity hook secret; here, your shell) that holds the client secret's Value.",
    `    "clientSecretVariable": ${q(values.clientSecretVariable)},`,
    '  },',
    '  "policy": {',
    `    "notFound": ${q(values.notFound)}, // nobody in the CRM has the email: allow | showError | deny`,
    `    "multipleMatches": ${q(values.multipleMatches)}, // several contacts have it: allowMostRecent | showError | deny`,
    `    "onError": ${q(values.onError)}, // the CRM or the token failed: allow | showError | deny`,
    '  },',
    '  // Strivacity attribute path -> Dataverse column: copied into the registration when empty.',
    '  // The post-registration hook writes these columns back (and creates missing contacts) unless',
    '  // a "sync" section says otherwise, e.g. "sync": { "createIfMissing": false }.',
    '  "enrich": {',
    ...enrich,
    '  },',
    '  // Messages shown to the person default to English; add "messages": { "de": { "notFound": "..." } } per language.',
    '}',
    '',
  ].join('\n');
}
