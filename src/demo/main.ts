/**
 * `npm start`: the main job on an embedded default. Builds the pre-registration hook for a demo
 * config, loads the built file as Strivacity would, and lets it decide sample registrations
 * against recorded Entra and Dataverse responses. No account, no network.
 */
import { buildHook } from '../build/build-hook.js';
import { parseResolvedConfig } from '../hook/config.js';
import { DEMO_CONFIG } from '../harness/demo-config.js';
import { maskEmail } from '../harness/mask-email.js';
import { describeResult, registrationPayload, runHook } from '../harness/run-hook.js';
import { withLink } from '../hook/link.js';
import { loadBuiltHook } from '../harness/load-hook.js';
import { serveRecordedResponses, serveRecordedWrites, waitForTokenPrefetch } from '../harness/stand-in.js';
import { formatTable } from '../harness/table.js';

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

/** The pre-registration hook deciding the samples against the recorded lookups. */
async function showPreRegistration(): Promise<void> {
  const config = parseResolvedConfig(DEMO_CONFIG);
  const standIn = serveRecordedResponses(config);
  const { code, packageDependencies } = await buildHook('pre-registration', DEMO_CONFIG);
  const { hook, unload } = loadBuiltHook(code);
  // Strivacity deploys a hook as a long-lived instance: its token pre-fetch finishes before the
  // first registration arrives. Wait for that, so the first row shows a deployed hook's latency.
  await waitForTokenPrefetch(standIn, 5_000);
  const enrichPaths = Object.keys(config.enrich);
  console.log(
    `Built pre-registration hook: ${code.length.toLocaleString('en')} characters, needs ${Object.entries(packageDependencies)
      .map(([n, v]) => `${n}@${v}`)
      .join(', ')}`,
  );
  console.log('Deciding sample registrations against recorded Entra and Dataverse responses (offline):\n');
  const rows: string[][] = [['sample', 'email (masked)', 'decision', 'message or enrichment', 'ms']];
  for (const sample of SAMPLES) {
    const run = await runHook(hook, registrationPayload(sample.email, sample.locales ?? ['en']));
    const { decision, detail } = describeResult(run, enrichPaths);
    rows.push([sample.label, maskEmail(sample.email), decision, detail, run.elapsedMs.toFixed(1)]);
  }
  console.log(formatTable(rows));
  console.log(`\nRequests answered by the stand-ins: ${standIn.counts.token} token (fetched once, at load), ${standIn.counts.contacts} Dataverse lookups.`);
  unload();
  standIn.close();
}

/** Post-registration samples: who registered, and the contact the pre-registration hook linked. */
const SYNC_SAMPLES: ReadonlyArray<{ label: string; email: string; linked?: string; givenName: string; familyName: string; phone?: string }> = [
  {
    label: 'linked by pre-registration',
    email: 'ada.lovelace@example.com',
    linked: '0f8fad5b-d9cb-469f-a165-70867728950e',
    givenName: 'Ada',
    familyName: 'Lovelace',
    phone: '+44 20 7946 0018',
  },
  { label: 'known email, not linked', email: 'grace.hopper@example.com', givenName: 'Grace', familyName: 'Hopper' },
  { label: 'new customer', email: 'alan.turing@example.com', givenName: 'Alan', familyName: 'Turing' },
  { label: 'same registration again (retry)', email: 'alan.turing@example.com', givenName: 'Alan', familyName: 'Turing' },
  {
    label: 'linked contact deleted since',
    email: "siobhan.o'brien@example.com",
    linked: '5a7e1c2b-0d3f-4e8a-9b6c-2f1d0e9c8b7a',
    givenName: 'Siobhan',
    familyName: "O'Brien",
  },
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
  // Linked as the pre-registration hook links a contact it matched for this email.
  return { ...payload, session: sample.linked === undefined ? {} : withLink({}, DEMO_CONFIG.auth.tenantId, sample.linked, sample.email) };
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
    const line = run.logLines.find(
      (l): l is Record<string, unknown> => typeof l === 'object' && l !== null && (l as Record<string, unknown>)['event'] === 'registration.synced',
    );
    const writes = standIn.writes
      .slice(before)
      .map((w) => `${w.method} ${w.contactId.slice(0, 8)}... ${w.status}${w.status < 300 ? ` (${w.columns.join(', ')})` : ''}`);
    rows.push([
      sample.label,
      maskEmail(sample.email),
      String(line?.['outcome'] ?? 'none'),
      String(line?.['reason'] ?? ''),
      writes.join('; ') || '-',
      run.elapsedMs.toFixed(1),
    ]);
  }
  console.log(formatTable(rows));
  const creates = standIn.writes.filter((w) => w.method === 'POST').length;
  console.log(`\nContacts created: ${creates} (the retried registration updated the contact its first run created).`);
  unload();
  standIn.close();
}

async function main(): Promise<void> {
  process.env['DYNAMICS_CLIENT_SECRET'] = 'demo-secret-not-a-real-value';
  await showPreRegistration();
  await showPostRegistrationSync();
}

await main();
