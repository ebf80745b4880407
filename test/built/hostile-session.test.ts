/**
 * A session the runtime hands over as something other than plain data (a proxy or a getter that
 * throws) still gets exactly one answer from the BUILT hook, and the hook's promise never rejects:
 * the session is copied once at the edge, and what cannot be read is dropped.
 */
import { describe, expect, it, vi } from 'vitest';
import { buildHook } from '../../src/build/build-hook.js';
import { loadBuiltHook, strivacityGlobals } from '../../src/harness/load-hook.js';
import { registrationPayload } from '../../src/harness/run-hook.js';
import { BASE_CONFIG, callHook, configWith, useBuiltHooks } from '../support/helpers.js';

const builtHooks = useBuiltHooks();

async function load(config: unknown) {
  const { hook, unload } = loadBuiltHook(
    (await buildHook('pre-registration', BASE_CONFIG)).code.replace(/const HOOK_CONFIG = [\s\S]*?^\};$/m, `const HOOK_CONFIG = ${JSON.stringify(config)};`),
    strivacityGlobals(),
  );
  builtHooks.track(unload);
  return hook;
}

const throwing = () => {
  throw new Error('hostile getter');
};

const SESSIONS: Array<[string, () => unknown]> = [
  ['a proxy whose every read throws', () => new Proxy({}, { get: throwing, ownKeys: throwing, has: throwing, getOwnPropertyDescriptor: throwing })],
  ['a session whose dynamics getter throws', () => Object.defineProperty({ journey: 'x' }, 'dynamics', { enumerable: true, get: throwing })],
  [
    'a dynamics proxy whose key checks throw',
    () => ({ journey: 'x', dynamics: new Proxy({ contactId: 'x' }, { has: throwing, ownKeys: throwing, get: throwing }) }),
  ],
];

describe('a hostile session', () => {
  it.each(
    SESSIONS.flatMap(([label, session]) => [
      [`${label}, an invalid email (no lookup)`, session, 'not-an-email'],
      [`${label}, config invalid`, session, 'ada.lovelace@example.com'],
    ]),
  )('%s: one answer, no rejected promise', async (label, session, email) => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const config = label.endsWith('config invalid') ? { ...BASE_CONFIG, policy: { notFound: 'nope' } } : configWith({});
    const hook = await load(config);
    const payload = { ...registrationPayload(email), session: session() };
    const { calls } = await callHook(hook, payload);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.via).toBe('callback');
  });
});

describe('a "__proto__" key typed into the pasted config block', () => {
  it('is refused at load, not obeyed: every registration gets the generic message, and the log says where', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)));
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => void lines.push(String(line)));
    const block = JSON.stringify(BASE_CONFIG).replace('"policy":{', '"policy":{"__proto__":{"notFound":"deny"},');
    expect(block).toContain('__proto__');
    const { hook, unload } = loadBuiltHook(
      (await buildHook('pre-registration', BASE_CONFIG)).code.replace(/const HOOK_CONFIG = [\s\S]*?^\};$/m, `const HOOK_CONFIG = ${block};`),
      strivacityGlobals(),
    );
    builtHooks.track(unload);
    const { calls } = await callHook(hook, registrationPayload('nobody@example.com'));
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ via: 'callback' });
    expect((calls[0]?.value as { constructor: { name: string } }).constructor.name).toContain('ShowErrorMessage');
    expect(lines.join('\n')).toContain('policy: must be plain data (a \\"__proto__\\" key in the console sets a prototype)');
  });
});
