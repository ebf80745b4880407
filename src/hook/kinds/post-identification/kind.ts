/**
 * The facts of the sign-in gate as a hook kind, in one place: its `--hook` name, its Strivacity
 * type, whether Strivacity waits for it, and sample arguments in the shape Strivacity's published
 * example documents. The build and the command line read this object; the hook itself does not, so
 * it is not bundled into the pasted file.
 * https://github.com/Strivacity/integrations/blob/main/hooks/seczetta/post-identification.hook.js
 */

/** Arguments of a POST_IDENTIFICATION hook for `email`, with an optional contact id kept on the account. */
export function postIdentificationPayload(email: unknown, options: { contactId?: string; locales?: readonly string[] } = {}): Record<string, unknown> {
  const info: Record<string, unknown> = { id: 'b6a1f0e2-7c3d-4e5f-9a8b-1c2d3e4f5a6b', userName: email };
  if (options.contactId !== undefined) info['custom'] = { dynamicsContactId: options.contactId };
  return {
    application: { name: 'Brand Web', client_id: 'brand-web' },
    oidc_context: { acr_values: [], ui_locales: options.locales ?? ['en'] },
    customer: {
      ip_address: '203.0.113.10',
      store: 'customers',
      info,
      groups: [],
      location: { city: 'London', state: '', country: 'United Kingdom', country_code: 'GB', coordinates: { latitude: 51.5, longitude: -0.12 } },
    },
    authenticators: [],
    requested_scopes: ['openid'],
    session: { journey: 'login' },
    continue_context: null,
    continue_request_parameters: { callback_url: 'https://brand.example/callback', state: 'xyz' },
  };
}

export const POST_IDENTIFICATION_KIND = {
  name: 'post-identification',
  strivacityType: 'POST_IDENTIFICATION',
  /** "called from the Post identification hook in a blocking manner" (the published example). */
  blocking: true,
  /** A handful of sign-ins a try-out or a demo can run; `custom.dynamicsContactId` is the link attribute they assume. */
  samplePayloads: (knownEmail: string, contactId?: string): ReadonlyArray<{ readonly name: string; readonly payload: Record<string, unknown> }> => [
    { name: 'known-customer', payload: postIdentificationPayload(knownEmail) },
    ...(contactId === undefined ? [] : [{ name: 'linked-customer', payload: postIdentificationPayload(knownEmail, { contactId }) }]),
    { name: 'unknown-person', payload: postIdentificationPayload('new.person@example.com') },
    { name: 'no-email-identifier', payload: postIdentificationPayload('+442079460018') },
  ],
} as const;
