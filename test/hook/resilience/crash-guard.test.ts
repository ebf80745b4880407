/**
 * The crash guard (src/hook/resilience/crash-guard.ts) on its own: what it recognises, when it holds Node's capture
 * callback, how it stands aside, and that every loaded copy shares one state. The end-to-end proof
 * on real sockets is in test/dataverse.test.ts; through the built hook, in test/faults.test.ts.
 */
import type { AsyncLocalStorage } from 'node:async_hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isMalformedBodyCrash, withMalformedBodyGuard } from '../../../src/hook/resilience/crash-guard.js';

interface SharedState {
  owner: AsyncLocalStorage<() => void>;
  capture: (error: unknown) => void;
  inFlight: number;
  guarding: boolean;
}
const shared = () => (globalThis as Record<symbol, SharedState>)[Symbol.for('strivacity-dynamics-hook.crash-guard.v2')] as SharedState;

function parserSyntaxError(file = '/srv/node_modules/dynamics-web-api/dist/cjs/dynamics-web-api.js'): SyntaxError {
  const error = new SyntaxError('Unexpected end of JSON input');
  error.stack = `SyntaxError: Unexpected end of JSON input\n    at JSON.parse (<anonymous>)\n    at handleJsonResponse (${file}:681:25)\n    at parseResponse (${file}:719:12)`;
  return error;
}

/** A dynamics-web-api call that stays pending until `settle` is called. */
function pendingCall(): { call: () => Promise<string>; settle: () => void } {
  let settle: () => void = () => undefined;
  const promise = new Promise<string>((resolve) => {
    settle = () => resolve('done');
  });
  return { call: () => promise, settle };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('isMalformedBodyCrash', () => {
  it("recognises a JSON SyntaxError thrown by dynamics-web-api's response parser", () => {
    expect(isMalformedBodyCrash(parserSyntaxError())).toBe(true);
  });

  it.each([
    ['a SyntaxError from another package', parserSyntaxError('/srv/node_modules/other/index.js')],
    ['another error from dynamics-web-api', Object.assign(new TypeError('x'), { stack: parserSyntaxError().stack })],
    ['a string', 'SyntaxError at handleJsonResponse (dynamics-web-api)'],
  ])('ignores %s', (_label, error) => {
    expect(isMalformedBodyCrash(error)).toBe(false);
  });
});

describe('withMalformedBodyGuard', () => {
  it('holds the capture callback only while a guarded call is in flight', async () => {
    expect(process.hasUncaughtExceptionCaptureCallback()).toBe(false);
    const pending = pendingCall();
    const result = withMalformedBodyGuard(pending.call, new AbortController().signal);
    expect(process.hasUncaughtExceptionCaptureCallback()).toBe(true);
    pending.settle();
    await expect(result).resolves.toBe('done');
    expect(process.hasUncaughtExceptionCaptureCallback()).toBe(false);
  });

  it('fails only the call whose async context raised the parser error', async () => {
    const first = pendingCall();
    const second = pendingCall();
    const failing = withMalformedBodyGuard(
      () => new Promise<string>(() => setImmediate(() => shared().capture(parserSyntaxError()))),
      new AbortController().signal,
    );
    const a = withMalformedBodyGuard(first.call, new AbortController().signal);
    const b = withMalformedBodyGuard(second.call, new AbortController().signal);

    await expect(failing).rejects.toMatchObject({ code: 'bad_response', stage: 'dataverse', message: 'Dataverse returned a malformed response body.' });
    first.settle();
    second.settle();
    await expect(Promise.all([a, b])).resolves.toEqual(['done', 'done']);
  });

  it("hands any other uncaught error to the process's listeners unchanged", async () => {
    const emitted: unknown[][] = [];
    const emit = vi.spyOn(process, 'emit').mockImplementation(((...args: unknown[]) => emitted.push(args) > 0) as typeof process.emit);
    const pending = pendingCall();
    const result = withMalformedBodyGuard(pending.call, new AbortController().signal);
    const other = new Error('a bug elsewhere in the runtime');

    shared().capture(other);

    expect(emitted).toEqual([['uncaughtException', other, 'uncaughtException']]);
    emit.mockRestore();
    pending.settle();
    await result;
  });

  it('stands aside when another component holds the capture callback', async () => {
    const foreign = vi.fn();
    process.setUncaughtExceptionCaptureCallback(foreign);
    try {
      const pending = pendingCall();
      const result = withMalformedBodyGuard(pending.call, new AbortController().signal);
      expect(shared().guarding).toBe(false);
      pending.settle();
      await expect(result).resolves.toBe('done');
      expect(process.hasUncaughtExceptionCaptureCallback()).toBe(true);
    } finally {
      process.setUncaughtExceptionCaptureCallback(null);
    }
  });

  it('answers at the abort, and keeps guarding for a while for a late fragment', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const controller = new AbortController();
    const result = withMalformedBodyGuard(() => new Promise<string>(() => undefined), controller.signal);
    controller.abort();

    await expect(result).rejects.toMatchObject({ code: 'timeout', stage: 'dataverse' });
    expect(process.hasUncaughtExceptionCaptureCallback()).toBe(true);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(process.hasUncaughtExceptionCaptureCallback()).toBe(false);
    expect(shared().inFlight).toBe(0);
  });

  it('shares one state with every other loaded copy of the module', async () => {
    // A second, independent instance of the module, as a second built hook in the same runtime has.
    const secondCopy = '../../../src/hook/resilience/crash-guard.ts?second-copy';
    const copy = (await import(/* @vite-ignore */ secondCopy)) as typeof import('../../../src/hook/resilience/crash-guard.js');
    expect(copy.withMalformedBodyGuard).not.toBe(withMalformedBodyGuard);
    const first = pendingCall();
    const second = pendingCall();
    const a = withMalformedBodyGuard(first.call, new AbortController().signal);
    const b = copy.withMalformedBodyGuard(second.call, new AbortController().signal);
    expect(shared().inFlight).toBe(2);

    first.settle();
    await a;
    expect(process.hasUncaughtExceptionCaptureCallback()).toBe(true);
    second.settle();
    await b;
    expect(process.hasUncaughtExceptionCaptureCallback()).toBe(false);
  });
});
