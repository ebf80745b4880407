/**
 * The config of `npm start`, also the benchmark's (with its Dataverse URL swapped per stand-in).
 * Its tenant and client ids are the placeholders a scrubbed recording carries (scrub.ts), so a
 * recording replays against it. A module of its own: the demo runs on import, and the benchmark's
 * timing process must not load the demo's nock stand-ins.
 */
import type { ConfigInput } from '../hook/config.js';

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
