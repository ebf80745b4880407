/**
 * The account hooks read arguments nobody published (src/hook/account.ts). Whatever arrives (any
 * JSON-like shape, a proxy that throws, a getter that throws), each hook resolves, calls back once,
 * writes one log line, and sends no request unless a configured path held a valid email.
 */
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseAccountArguments } from '../../src/hook/account.js';
import { parseConfig } from '../../src/hook/config.js';
import { createPostAccountDeletionHook } from '../../src/hook/kinds/post-account-deletion/hook.js';
import { createPostAccountUpdateHook } from '../../src/hook/kinds/post-account-update/hook.js';
import type { LogLine } from '../../src/hook/log.js';
import type { WriterHook } from '../../src/hook/writer-hook.js';
import { configWith } from '../support/helpers.js';

const CONFIG = configWith({ link: { attribute: 'custom.dynamicsContactId' } });
let logged: LogLine[] = [];
let hooks: WriterHook[] = [];
beforeEach(() => {
  logged = [];
  // No token pre-fetch and no Dataverse stand-in: nock (test/setup.ts) refuses any request, so a run
  // that sent one would log a failure, not contract_mismatch.
  const options = { readSecret: () => 'property-secret', logSink: (line: LogLine) => logged.push(line), prefetchToken: false };
  hooks = [createPostAccountUpdateHook(CONFIG, options), createPostAccountDeletionHook(CONFIG, options)];
});

const throwing = new Proxy(
  {},
  {
    get() {
      throw new Error('hostile');
    },
    ownKeys() {
      throw new Error('hostile');
    },
  },
);

describe('the account hooks on arguments of any shape', () => {
  it('call back once, log one line and, with no email at the configured paths, ask nothing (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.anything(), fc.constant(throwing), fc.record({ customer: fc.constant(throwing) })), async (args) => {
        for (const hook of hooks) {
          logged = [];
          let calls = 0;
          await expect(hook(args, () => (calls += 1))).resolves.toBeUndefined();
          expect(calls).toBe(1);
          expect(logged.filter((line) => line.event === 'account.synced' || line.event === 'account.deleted')).toHaveLength(1);
          if (parseAccountArguments(args, parseConfig(CONFIG)).email === undefined) expect(logged.at(-1)?.attempts).toBe(0);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('reads the link from the first attributes object that holds one, and the attributes from the first object', () => {
    const config = parseConfig(CONFIG);
    const read = parseAccountArguments(
      { customer: { attributes: { name: { givenName: 'A' } }, info: { custom: { dynamicsContactId: 'id-in-info' } } } },
      config,
    );
    expect(read).toMatchObject({ linkedId: 'id-in-info', attributes: { name: { givenName: 'A' } } });
    expect(read).not.toHaveProperty('email');
  });
});
