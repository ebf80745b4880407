/**
 * The crash guard (src/hook/resilience/crash-guard.ts) in a process where Node's `domain` module is
 * loaded: `process.setUncaughtExceptionCaptureCallback` then throws, and the guard runs each call in
 * a domain of its own. This file loads `domain` for real in its own process, which it cannot unload:
 * vitest runs each test file in a fresh worker (`isolate`, the default, also under Stryker), so no
 * other file shares this process. The built hook in such a process: test/built/domain.test.ts.
 */
import { createRequire } from 'node:module';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { withMalformedBodyGuard } from '../../../src/hook/resilience/crash-guard.js';

interface SharedState {
  inFlight: number;
  guarding: boolean;
  domainLoaded: boolean;
}
const shared = () => (process as unknown as Record<symbol, SharedState>)[Symbol.for('strivacity-dynamics-hook.crash-guard.v3')] as SharedState;

/** What reached the process's `uncaughtException` listeners: the guard should have kept it. */
const escaped: unknown[] = [];
/** Called when an error escapes, so that a call the guard failed to fail does not hang the test. */
let onEscape: () => void = () => undefined;
const hostListener = (error: unknown) => {
  escaped.push(error);
  onEscape();
};

beforeAll(() => {
  // A host (or one of its packages) loads `domain`; a capture callback of ours would make that throw.
  expect(process.hasUncaughtExceptionCaptureCallback()).toBe(false);
  createRequire(import.meta.url)('node:domain');
  process.on('uncaughtException', hostListener);
  return () => {
    process.off('uncaughtException', hostListener);
  };
});

afterEach(() => {
  escaped.splice(0);
  onEscape = () => undefined;
});

/** A call that throws `thrown` from an event callback of its own, as dynamics-web-api does from its `end` listener. */
function throwingCall(thrown: unknown, started: string[]): () => Promise<string> {
  return () => {
    started.push('throwing');
    return new Promise<string>(() => {
      setImmediate(() => {
        throw thrown;
      });
    });
  };
}

describe('withMalformedBodyGuard with the domain module loaded', () => {
  it('fails only the call in whose context the error was raised, and nothing reaches the host', async () => {
    const started: string[] = [];
    const controller = new AbortController();
    onEscape = () => controller.abort();
    // The first call finds out that `domain` is loaded (the setter throws); the second already knows.
    const failing = withMalformedBodyGuard(throwingCall(new TypeError("Cannot read properties of null (reading '0')"), started), controller.signal);
    expect(shared()).toMatchObject({ domainLoaded: true, guarding: false });
    let settleOther: () => void = () => undefined;
    const other = withMalformedBodyGuard(() => {
      started.push('other');
      return new Promise<string>((resolve) => {
        settleOther = () => resolve('done');
      });
    }, new AbortController().signal);
    // Each call starts at once, inside its own domain.
    expect(started).toEqual(['throwing', 'other']);

    await expect(failing).rejects.toMatchObject({
      code: 'bad_response',
      stage: 'dataverse',
      message: 'Dataverse returned a response the client library could not handle.',
    });
    expect(escaped).toEqual([]);
    settleOther();
    await expect(other).resolves.toBe('done');
    expect(shared().inFlight).toBe(0);
  });

  it('contains a thrown value that is not an Error, in a later call too', async () => {
    const controller = new AbortController();
    onEscape = () => controller.abort();
    const failing = withMalformedBodyGuard(throwingCall('not even an Error', []), controller.signal);
    await expect(failing).rejects.toMatchObject({ code: 'bad_response', stage: 'dataverse' });
    expect(escaped).toEqual([]);
    expect(shared().inFlight).toBe(0);
  });
});
