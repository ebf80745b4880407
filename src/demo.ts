/**
 * `npm start`: the main job on an embedded default. Builds the pre-registration hook for a demo
 * config, loads the built file as Strivacity would, and lets it decide sample registrations
 * against recorded Entra and Dataverse responses. No account, no network.
 */
import { setTimeout } from 'node:timers/promises';
import { buildHook } from './build.js';
import { parseResolvedConfig, type ConfigInput } from './config.js';
import { describeResult, maskEmail, registrationPayload, runHook } from './drive.js';
import { loadBuiltHook } from './load-hook.js';
import { serveRecordedResponses, serveRecordedWrites } from './stand-in.js';

export const DEMO_CONFIG = {
  dataverse: { url: 'https://contoso.crm4.dynamics.com' },
  auth: { tenantId: '11111111-2222-3333-4444-555555555555', clientId: '66666666-7777-8888-9999-000000000000', clientSecretVariable: 'DYNAMICS_CLIENT_SECRET' },
  lookup: { emailFields: ['emailaddress1'], activeOnly: true },
  policy: { notFound: 'showError', multipleMatches: 'allowMostRecent', invalidEmail: 'showError', onError: 'showError', timeoutMs: 2500 },
  enrich: { 'name.givenName': 'firstname', 'name.familyName': 'lastname', 'phoneNumbers.primaryPhoneNumber': 'mobilephone' },
  messages: {
    en: {
      notFound: 'We could not find your customer record. Please contact support to register.',
      multipleMatches: 'We could not verify your details. Please contact support.',
      invalidEmail: 'Please enter a valid email address.',
      unavailable: 'Registration is temporarily unavailable. Please try again shortly.',
    },
    de: {
      notFound: 'Wir konnten Ihren Kundendatensatz nicht finden. Bitte wenden Sie sich an den Support.',
      multipleMatches: 'Wir konnten Ihre Angaben nicht bestätigen. Bitte wenden Sie sich an den Support.',
      invalidEmail: 'Bitte geben Sie eine gültige E-Mail-Adresse ein.',
      unavailable: 'Die Registrierung ist vorübergehend nicht verfügbar.',
    },
  },
} satisfies ConfigInput;

const SAMPLES: ReadonlyArray<{ label: string; email: unknown; locales?: string[] }> = [
  { label: 'known customer', email: 'ada.lovelace@example.com' },
  { label: 'known, mixed case and spaces', email: '  Ada.Lovelace@Example.com ' },
  { label: 'not in the CRM', email: 'new.person@example.com' },
  { label: 'not in the CRM, German UI', email: 'neu@example.de', locales: ['de-DE', 'en'] },
  { label: 'two contacts share the email', email: 'grace.hopper@example.com' },
  { label: 'apostrophe in the email', email: "siobhan.o'brien@example.com" },
  { label: 'invalid email', email: 'not-an-email' },
  { label: 'OData injection attempt', email: "x' or emailaddress1 ne 'y@example.com" },
];

async function main(): Promise<void> {
  const config = parseResolvedConfig(DEMO_CONFIG);
  process.env['DYNAMICS_CLIENT_SECRET'] = 'demo-secret-not-a-real-value';
  const standIn = serveRecordedResponses(config);
  const { code, packageDependencies } = await buildHook('pre-registration', DEMO_CONFIG);
  const { hook, unload } = loadBuiltHook(code);
  // Strivacity deploys a hook as a long-lived instance: its token pre-fetch finishes before the
  // first registration arrives. Wait for that, so the first row shows a deployed hook's latency.
  while (standIn.counts.token === 0) await setTimeout(5);
  await setTimeout(20);
  const enrichPaths = Object.keys(config.enrich);
  console.log(`Built pre-registration hook: ${code.length.toLocaleString('en')} characters, needs ${Object.entries(packageDependencies).map(([n, v]) => `${n}@${v}`).join(', ')}`);
  console.log('Deciding sample registrations against recorded Entra and Dataverse responses (offline):\n');
  const rows: string[][] = [['sample', 'email (masked)', 'decision', 'message or enrichment', 'ms']];
  for (const sample of SAMPLES) {
    const run = await runHook(hook, registrationPayload(sample.email, sample.locales ?? ['en']));
    const { decision, detail } = describeResult(run, enrichPaths);
    rows.push([sample.label, maskEmail(sample.email), decision, detail, run.elapsedMs.toFixed(1)]);
  }
  printTable(rows);
  console.log(`\nRequests answered by the stand-ins: ${standIn.counts.token} token (fetched once, at load), ${standIn.counts.contacts} Dataverse lookups.`);
  unload();
  standIn.close();
}

function printTable(rows: readonly string[][]): void {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  for (const [index, row] of rows.entries()) {
    console.log(row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd());
    if (index === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

await main();

/** Post-registration samples: who registered, and the contact the pre-registration hook linked. */
const SYNC_SAMPLES: ReadonlyArray<{ label: string; email: string; linked?: string; givenName: string; familyName: string; phone?: string }> = [
  { label: 'linked by pre-registration', email: 'ada.lovelace@example.com', linked: '0f8fad5b-d9cb-469f-a165-70867728950e', givenName: 'Ada', familyName: 'Lovelace', phone: '+44 20 7946 0018' },
  { label: 'known email, not linked', email: 'grace.hopper@example.com', givenName: 'Grace', familyName: 'Hopper' },
  { label: 'new customer', email: 'alan.turing@example.com', givenName: 'Alan', familyName: 'Turing' },
  { label: 'same registration again (retry)', email: 'alan.turing@example.com', givenName: 'Alan', familyName: 'Turing' },
  { label: 'linked contact deleted since', email: "siobhan.o'brien@example.com", linked: '5a7e1c2b-0d3f-4e8a-9b6c-2f1d0e9c8b7a', givenName: 'Siobhan', familyName: "O'Brien" },
];

/** A Strivacity-shaped post-registration payload: the registration as completed, and its session. */
function syncPayload(sample: (typeof SYNC_SAMPLES)[number]): Record<string, unknown> {
  const payload = registrationPayload(sample.email);
  const customer = payload['customer'] as Record<string, unknown>;
  customer['attributes'] = {
    emails: { primaryEmail: sample.email },
    name: { givenName: sample.givenName, familyName: sample.familyName },
    phoneNumbers: { primaryPhoneNumber: sample.phone ?? '' },
  };
  return { ...payload, session: sample.linked === undefined ? {} : { dynamics: { contactId: sample.linked } } };
}

/** The post-registration hook, built from the same config, keeping the recorded contacts in step. */
async function showPostRegistrationSync(): Promise<void> {
  const config = parseResolvedConfig(DEMO_CONFIG);
  const standIn = serveRecordedWrites(config);
  const { code } = await buildHook('post-registration', DEMO_CONFIG);
  const { hook, unload } = loadBuiltHook(code);
  console.log(`\nBuilt post-registration hook from the same config: ${code.length.toLocaleString('en')} characters.`);
  console.log('Syncing sample registrations into the recorded contacts (offline):\n');
  const rows: string[][] = [['sample', 'email (masked)', 'outcome', 'reason', 'Dataverse writes (columns)', 'ms']];
  for (const sample of SYNC_SAMPLES) {
    const before = standIn.writes.length;
    const run = await runHook(hook, syncPayload(sample));
    const line = run.logLines.find((l): l is Record<string, unknown> => typeof l === 'object' && l !== null && (l as Record<string, unknown>)['event'] === 'registration.synced');
    const writes = standIn.writes.slice(before).map((w) => `${w.method} ${w.contactId.slice(0, 8)}... ${w.status}${w.status < 300 ? ` (${w.columns.join(', ')})` : ''}`);
    rows.push([sample.label, maskEmail(sample.email), String(line?.['outcome'] ?? 'none'), String(line?.['reason'] ?? ''), writes.join('; ') || '-', run.elapsedMs.toFixed(1)]);
  }
  printTable(rows);
  const creates = standIn.writes.filter((w) => w.method === 'POST').length;
  console.log(`\nContacts created: ${creates} (the retried registration updated the contact its first run created).`);
  unload();
  standIn.close();
}

await showPostRegistrationSync();
