/**
 * Internationalised addresses (issue 17, section 4) through the BUILT hooks: `jürgen.müller@…` and
 * `juergen@müller.de` are looked up, not refused; what Dataverse receives is the email itself, in
 * NFC, UTF-8 percent-encoded by dynamics-web-api and quote-doubled by nothing else; a link made for
 * the NFD spelling binds the NFC one; invisible characters are still refused before any request.
 */
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/hook/config.js';
import { emailHash } from '../../src/hook/log.js';
import { registrationPayload } from '../../src/harness/run-hook.js';
import { readFixture } from '../../src/harness/stand-in.js';
import { API, BASE_CONFIG, callHook, capturePrinted, JSON_HEADERS, loadBuilt, mockToken, ORG, TENANT, useBuiltHooks } from '../support/helpers.js';
import { intendedFilter, parseFilter } from '../support/odata-checker.js';

const ADA_ID = '0f8fad5b-d9cb-469f-a165-70867728950e'; // contacts-one.json
const CONFIG = { ...BASE_CONFIG, sync: { createIfMissing: true } } satisfies ConfigInput;
const builtHooks = useBuiltHooks();
const printed = capturePrinted();

/** `GET contacts` answered with `fixture`; each request's raw path (as sent, still percent-encoded) is kept. */
function contactsRaw(fixture: string, paths: string[]): nock.Scope {
  return nock(ORG)
    .get((path) => {
      if (!path.startsWith(`${API}/contacts?`)) return false;
      paths.push(path);
      return true;
    })
    .reply(200, readFixture(fixture) as nock.Body, JSON_HEADERS);
}

/** The `$filter` of a raw path, decoded once, as Dataverse decodes it. */
function filterOf(path: string): string {
  const raw = /[?&]\$filter=([^&]*)/.exec(path)?.[1];
  if (raw === undefined) throw new Error('no $filter in the request');
  return decodeURIComponent(raw);
}

async function preRegister(email: string, session: Record<string, unknown> = {}) {
  const hook = await loadBuilt(builtHooks, 'pre-registration', CONFIG);
  const { calls } = await callHook(hook, { ...registrationPayload(email), session });
  expect(calls).toHaveLength(1);
  return calls[0] as { via: string; value: { session?: Record<string, unknown> } };
}

describe('internationalised emails in the built pre-registration hook', () => {
  it.each([
    ['an umlaut in the local part', 'jürgen.müller@beispiel.de', 'j%C3%BCrgen.m%C3%BCller%40beispiel.de'],
    ['an umlaut in the domain', 'juergen@müller.de', 'juergen%40m%C3%BCller.de'],
    ['an apostrophe beside an umlaut', "d'ürst@müller.de", 'd%27%27%C3%BCrst%40m%C3%BCller.de'],
  ])('looks up %s: the wire carries its UTF-8 percent-encoding, and Dataverse reads the email itself', async (_label, email, encoded) => {
    mockToken();
    const paths: string[] = [];
    const lookup = contactsRaw('contacts-one.json', paths);
    const answer = await preRegister(email);

    lookup.done();
    expect(answer.via).toBe('callback');
    expect(paths).toHaveLength(1);
    expect(paths[0]).toContain(`%27${encoded}%27`);
    // Only ASCII on the wire: dynamics-web-api encoded the whole filter, and nothing was encoded twice.
    expect(paths[0]).toMatch(/^[\x21-\x7e]+$/);
    expect(paths[0]).not.toContain('%25');
    expect(parseFilter(filterOf(paths[0] as string))).toEqual(intendedFilter(email, ['emailaddress1'], true));
    expect(printed.lines().find((line) => line['event'] === 'registration.decided')).toMatchObject({
      outcome: 'allow',
      reason: 'matched',
      emailHash: emailHash(email, TENANT),
    });
    expect(printed.printed().join('\n')).not.toContain(email.split('@')[0]);
  });

  it('sends the NFC form of an address typed in NFD, and logs the same hash as for the NFC spelling', async () => {
    const nfc = 'jürgen.müller@beispiel.de';
    const nfd = nfc.normalize('NFD');
    expect(nfd).not.toBe(nfc);
    mockToken();
    const paths: string[] = [];
    contactsRaw('contacts-one.json', paths);
    await preRegister(` ${nfd} `);

    expect(parseFilter(filterOf(paths[0] as string))).toEqual(intendedFilter(nfc, ['emailaddress1'], true));
    // NFD would put %CC%88 (the combining diaeresis) on the wire.
    expect(paths[0]).not.toContain('%CC%88');
    expect(printed.lines().find((line) => line['event'] === 'registration.decided')).toMatchObject({ emailHash: emailHash(nfc, TENANT) });
  });

  it.each([
    ['a right-to-left override', 'jürgen\u202e@beispiel.de'],
    ['a zero-width space', 'jürgen\u200b@beispiel.de'],
    ['a C1 control', 'jürgen\u0085@beispiel.de'],
    ['a no-break space', 'jürgen\u00a0müller@beispiel.de'],
    ['101 UTF-16 code units (one character outside the BMP counts two)', `𝒜${'a'.repeat(87)}@beispiel.de`],
  ])('refuses an address with %s before asking Entra or Dataverse', async (_label, email) => {
    const answer = await preRegister(email);

    expect(answer).toMatchObject({ via: 'callback', value: { error_message: 'Please enter a valid email address.' } });
    expect(printed.lines().find((line) => line['event'] === 'registration.decided')).toMatchObject({ reason: 'invalid_email', attempts: 0 });
    expect(nock.pendingMocks()).toEqual([]);
  });
});

describe('the link for an internationalised email, through both built hooks', () => {
  it('a link made when the email was typed in NFD is followed for the NFC spelling: the contact is updated without a lookup', async () => {
    const nfc = 'jürgen.müller@beispiel.de';
    mockToken();
    contactsRaw('contacts-one.json', []);
    const { value } = await preRegister(nfc.normalize('NFD'), { journey: 'register' });
    expect((value.session?.['dynamics'] as Record<string, unknown> | undefined)?.['contactId']).toBe(ADA_ID);

    mockToken();
    const patch = nock(ORG).patch(`${API}/contacts(${ADA_ID})`, { firstname: 'Jürgen', lastname: 'Müller' }).reply(204, '');
    // overwrite: this test is about which contact the link reaches, not about fillEmpty (tested elsewhere).
    const post = await loadBuilt(builtHooks, 'post-registration', { ...CONFIG, sync: { updateExisting: 'overwrite' } });
    const payload: Record<string, unknown> = { ...registrationPayload(nfc), session: value.session };
    (payload['customer'] as { attributes: Record<string, unknown> }).attributes['name'] = { givenName: 'Jürgen', familyName: 'Müller' };
    const calls: unknown[][] = [];
    await post(payload, (...args: unknown[]) => calls.push(args), undefined);

    expect(calls).toEqual([[]]);
    patch.done();
    expect(printed.lines().find((line) => line['event'] === 'registration.synced')).toMatchObject({ outcome: 'updated', reason: 'session_contact' });
  });
});
