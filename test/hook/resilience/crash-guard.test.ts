/**
 * The crash guard (src/hook/resilience/crash-guard.ts) on its own: what it attributes to a call,
 * when it holds Node's capture callback, how it stands aside, and that every loaded copy shares one
 * state. The end-to-end proof on real sockets is in test/hook/dataverse.test.ts; through the built
 * hook, in test/built/faults.test.ts; with Node's `domain` module loaded, in test/built/domain.test.ts.
 */
import type { AsyncLocalStorage } from 'node:async_hooks';
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { withMalformedBodyGuard } from '../../../src/hook/resilience/crash-guard.js';

interface SharedState {
  owner: AsyncLocalStorage<unknown>;
  capture: (error: unknown) => void;
  inFlight: number;
  guarding: boolean;
  domainLoaded: boolean;
}
const shared = () => (process as unknown as Record<symbol, SharedState>)[Symbol.for('strivacity-dynamics-hook.crash-guard.v3')] as SharedState;

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

  it.each([
    ['a TypeError', new TypeError("Cannot read properties of null (reading '0')")],
    ['a RangeError without a stack', Object.assign(new RangeError('Maximum call stack size exceeded'), { stack: undefined })],
    ['a plain Error', new Error('The alias name of the linked entity must be unique!')],
    ['a thrown string', 'not even an Error'],
  ])('fails only the call in whose async context %s was raised', async (_label, thrown) => {
    const first = pendingCall();
    const second = pendingCall();
    const failing = withMalformedBodyGuard(() => new Promise<string>(() => setImmediate(() => shared().capture(thrown))), new AbortController().signal);
    const a = withMalformedBodyGuard(first.call, new AbortController().signal);
    const b = withMalformedBodyGuard(second.call, new AbortController().signal);

    await expect(failing).rejects.toMatchObject({
      code: 'bad_response',
      stage: 'dataverse',
      message: 'Dataverse returned a response the client library could not handle.',
    });
    first.settle();
    second.settle();
    await expect(Promise.all([a, b])).resolves.toEqual(['done', 'done']);
  });

  it('passes on an error raised in the context of a call that has already settled', async () => {
    const late = new Error('raised after the call settled');
    const emitted: unknown[][] = [];
    let raised: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      raised = resolve;
    });
    const raiseLate = () => {
      const emit = vi.spyOn(process, 'emit').mockImplementation(((...args: unknown[]) => emitted.push(args) > 0) as typeof process.emit);
      try {
        shared().capture(late);
      } finally {
        emit.mockRestore();
        raised();
      }
    };
    // The timer is made inside the call, so its callback runs in the call's async context.
    const settled = withMalformedBodyGuard(async () => {
      setTimeout(() => raiseLate(), 50);
      return 'done';
    }, new AbortController().signal);
    await expect(settled).resolves.toBe('done');
    const pending = pendingCall();
    const inFlight = withMalformedBodyGuard(pending.call, new AbortController().signal);
    const listener = () => undefined;
    process.on('uncaughtException', listener);
    try {
      await done;
    } finally {
      process.off('uncaughtException', listener);
    }

    expect(emitted).toEqual([['uncaughtException', late, 'uncaughtException']]);
    pending.settle();
    await expect(inFlight).resolves.toBe('done');
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

  it('passes on an error raised outside any call to the uncaughtException listeners, and keeps guarding', async () => {
    const stray = new Error('raised by another component');
    const pending = pendingCall();
    const inFlight = withMalformedBodyGuard(pending.call, new AbortController().signal);
    const emitted: unknown[][] = [];
    const listener = () => undefined;
    process.on('uncaughtException', listener);
    const emit = vi.spyOn(process, 'emit').mockImplementation(((...args: unknown[]) => emitted.push(args) > 0) as typeof process.emit);
    try {
      shared().capture(stray);
    } finally {
      emit.mockRestore();
      process.off('uncaughtException', listener);
    }

    expect(emitted).toEqual([['uncaughtException', stray, 'uncaughtException']]);
    expect(process.hasUncaughtExceptionCaptureCallback()).toBe(true);
    pending.settle();
    await expect(inFlight).resolves.toBe('done');
  });

  it('with no uncaughtException listener, gives an error that is not its own back to Node: lets go of the capture and rethrows it unchanged', async () => {
    const stray = new Error('raised by another component');
    const pending = pendingCall();
    const inFlight = withMalformedBodyGuard(pending.call, new AbortController().signal);
    const hostListeners = process.rawListeners('uncaughtException') as Array<(...args: unknown[]) => void>;
    const ticks: Array<(...args: unknown[]) => unknown> = [];
    process.removeAllListeners('uncaughtException');
    const nextTick = vi.spyOn(process, 'nextTick').mockImplementation((callback) => void ticks.push(callback as (...args: unknown[]) => unknown));
    try {
      shared().capture(stray);
    } finally {
      nextTick.mockRestore();
      for (const listener of hostListeners) process.on('uncaughtException', listener);
    }

    // Node's default handling applies again: the rethrow is not captured a second time.
    expect(process.hasUncaughtExceptionCaptureCallback()).toBe(false);
    expect(ticks).toHaveLength(1);
    let rethrown: unknown;
    try {
      ticks[0]?.();
    } catch (error) {
      rethrown = error;
    }
    expect(rethrown).toBe(stray);
    pending.settle();
    await expect(inFlight).resolves.toBe('done');
    expect(shared()).toMatchObject({ guarding: false, inFlight: 0 });
  });

  it.each([
    ['an error with another code', Object.assign(new Error('refused'), { code: 'ERR_SOMETHING_ELSE' })],
    ['null', null],
  ])('a capture setter that throws %s fails no call', async (_label, thrown) => {
    vi.spyOn(process, 'setUncaughtExceptionCaptureCallback').mockImplementation(() => {
      throw thrown;
    });
    const pending = pendingCall();
    const result = withMalformedBodyGuard(pending.call, new AbortController().signal);
    expect(shared()).toMatchObject({ guarding: false, domainLoaded: false, inFlight: 1 });
    pending.settle();
    await expect(result).resolves.toBe('done');
    expect(shared().inFlight).toBe(0);
  });

  it('keeps guarding a call that is still in flight, however long it takes without an abort', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const pending = pendingCall();
    const result = withMalformedBodyGuard(pending.call, new AbortController().signal);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(process.hasUncaughtExceptionCaptureCallback()).toBe(true);
    pending.settle();
    await expect(result).resolves.toBe('done');
    expect(process.hasUncaughtExceptionCaptureCallback()).toBe(false);
  });

  it('answers at once on a signal that has already aborted, and lets go of the capture 10 s later', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const result = withMalformedBodyGuard(() => new Promise<string>(() => undefined), AbortSignal.abort());

    await expect(result).rejects.toMatchObject({ code: 'timeout', stage: 'dataverse' });
    expect(process.hasUncaughtExceptionCaptureCallback()).toBe(true);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(process.hasUncaughtExceptionCaptureCallback()).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(process.hasUncaughtExceptionCaptureCallback()).toBe(false);
    expect(shared().inFlight).toBe(0);
  });

  it('leaves no listener on the signal once the call has settled', async () => {
    const controller = new AbortController();
    const pending = pendingCall();
    const result = withMalformedBodyGuard(pending.call, controller.signal);
    pending.settle();
    await expect(result).resolves.toBe('done');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('leaves no listener on the signal once it has aborted', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const controller = new AbortController();
    const result = withMalformedBodyGuard(() => new Promise<string>(() => undefined), controller.signal);
    controller.abort();
    await expect(result).rejects.toMatchObject({ code: 'timeout', stage: 'dataverse' });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(10_000);
  });

  it.each([0, 1, 2, 3, 4, 5])('counts a call out once when its signal aborts %i promise steps after the call settled', async (steps) => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const controller = new AbortController();
    let settle: () => void = () => undefined;
    const settled = new Promise<string>((resolve) => {
      settle = () => resolve('done');
    });
    const result = withMalformedBodyGuard(() => settled, controller.signal);
    // Registered after the guard's own reaction to the same promise, so the abort lands in the
    // promise steps that follow the call's settling (the guard releases it in one of them).
    const afterSteps = (left: number): Promise<void> => (left === 0 ? Promise.resolve(controller.abort()) : Promise.resolve().then(() => afterSteps(left - 1)));
    void settled.then(() => afterSteps(steps));
    settle();
    await result.catch(() => undefined);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(process.hasUncaughtExceptionCaptureCallback()).toBe(false);

    // The count is right: the next call is guarded, and released when it settles.
    const next = pendingCall();
    const nextResult = withMalformedBodyGuard(next.call, new AbortController().signal);
    expect(process.hasUncaughtExceptionCaptureCallback()).toBe(true);
    next.settle();
    await expect(nextResult).resolves.toBe('done');
    expect(process.hasUncaughtExceptionCaptureCallback()).toBe(false);
  });
});
