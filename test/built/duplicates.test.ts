/**
 * No second contact for one email, on real sockets: the BUILT post-registration hook runs in a
 * child process against an HTTPS stand-in of Dataverse's `contacts` (`src/harness/contacts-stand-in.ts`)
 * that commits creates it did not answer in time, or answered 502. Issue 17, section 2.
 *
 * Timing: each case's margins are hundreds of milliseconds, and what is asserted (one contact at
 * the end) does not depend on them: on a machine slow enough to shift the runs, a later lookup
 * finds the committed contact instead of the create being refused as a duplicate key.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildHook } from '../../src/build/build-hook.js';
import { type ContactsStandIn, startContactsStandIn } from '../../src/harness/contacts-stand-in.js';
import { createSelfSignedCertificate } from '../../src/harness/self-signed.js';
import { contactIdFor } from '../../src/hook/contact-id.js';
import { configWith } from '../support/helpers.js';
import { runInChild } from '../support/post-registration-child.js';

const EMAIL = 'new.customer@example.com';
const tls = createSelfSignedCertificate('127.0.0.1');
let standIn: ContactsStandIn | undefined;

afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

async function builtFor(url: string, timeoutMs: number): Promise<string> {
  const config = configWith({ dataverse: { url }, policy: { timeoutMs }, sync: { createIfMissing: true } });
  return (await buildHook('post-registration', config)).code;
}

const registration = (atMs: number, givenName: string) => ({ atMs, email: EMAIL, givenName, familyName: 'Customer' });

describe('the built post-registration hook never makes a second contact for one email', () => {
  it('when a create slower than the deadline commits after it, and the same email registers again a second later', async () => {
    // The first create commits 1.5 s after it arrives, long after the first run's 1 s deadline;
    // the second run starts 1 s after the first, queued behind it for the same email.
    standIn = await startContactsStandIn(tls, (n) => (n === 1 ? { answerAfterMs: 1500 } : {}));
    const lines = await runInChild(await builtFor(standIn.url, 1000), tls.certPem, [registration(0, 'Ada'), registration(1000, 'Ada')]);
    await standIn.settled();

    // Before contact ids were derived: the second run found nothing yet and created a second contact.
    expect(standIn.rows).toHaveLength(1);
    expect(standIn.rows[0]).toMatchObject({ contactid: contactIdFor(standIn.url, EMAIL), emailaddress1: EMAIL, firstname: 'Ada' });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ outcome: 'failed', failure: 'timeout' });
    // Its create refused as a duplicate key (or, on a machine slow enough, the lookup already finding it).
    expect(lines[1]).toMatchObject({ outcome: 'unchanged', columnsWritten: [] });
    expect(['created_earlier', 'email_match']).toContain(lines[1]?.['reason']);
  }, 30_000);

  it('when every create is answered 502 but saved (visible 400 ms later) and the run retries', async () => {
    standIn = await startContactsStandIn(tls, () => ({ status: 502, commitAfterMs: 400 }));
    const lines = await runInChild(await builtFor(standIn.url, 2500), tls.certPem, [registration(0, 'Ada')]);
    await standIn.settled();

    // Before: each retry looked up, missed the saved contact and created again (2 contacts here).
    expect(standIn.rows).toHaveLength(1);
    expect(standIn.rows[0]).toMatchObject({ contactid: contactIdFor(standIn.url, EMAIL), emailaddress1: EMAIL, firstname: 'Ada', lastname: 'Customer' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ outcome: 'unchanged' });
    expect(['created_earlier', 'email_match']).toContain(lines[0]?.['reason']);
  }, 30_000);
});
