/**
 * The stand-in's idea of Strivacity's hook runtime: runs submitted hook code the way the harness
 * loads a built hook (`loadBuiltHook`: a fresh CommonJS module with the runtime's result classes as
 * globals) and lets a test choose what nobody has published about the real one: the Node version
 * the code sees, which deny class exists, how secrets reach the code, whether `domain` is loaded and
 * whether global `fetch` exists. Each of these is emulated only as far as hook code can observe it,
 * by patching the process for the duration of one call and restoring it afterwards.
 */
import { captureConsole } from '../run-hook.js';
import { type DenyGlobal, loadBuiltHook, strivacityGlobals } from '../load-hook.js';
import { setTimeout as delay } from 'node:timers/promises';

export interface RuntimeProfile {
  /** What `process.version` says, e.g. `v20.11.1`. */
  readonly nodeVersion: string;
  readonly deny: DenyGlobal;
  /** Where the hook's variables appear: `process.env[NAME]`, a global `NAME`, or nowhere. */
  readonly secrets: 'env' | 'global' | 'none';
  /** True: the deprecated `domain` module is loaded, so the capture callback cannot be set. */
  readonly domainLoaded: boolean;
  /** False: no global `fetch` (as before Node 18). */
  readonly fetch: boolean;
}

export const NODE_20_RUNTIME: RuntimeProfile = { nodeVersion: 'v20.11.1', deny: 'ErrorDenyRequest', secrets: 'env', domainLoaded: false, fetch: true };
export const NODE_18_RUNTIME: RuntimeProfile = { nodeVersion: 'v18.20.4', deny: 'ErrorDenyRequest', secrets: 'env', domainLoaded: false, fetch: true };

/** `RedirectRequest(redirect_url, session)`: a global of the runtime in Strivacity's examples. */
export class StrivacityRedirectRequest {
  constructor(
    readonly redirect_url: string,
    readonly session: unknown,
  ) {}
}

/** What a try-out call answers: `status` and `body` as in the published `FunctionCallResponse`. */
export interface RuntimeAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** How long the emulated runtime stays up after the answer, capturing what the code still logs. */
const SETTLE_AFTER_ANSWER_MS = 250;

/** One console line the code wrote while it loaded and ran (what Debug Logs would show). */
export interface ConsoleLine {
  readonly level: string;
  readonly message: string;
}

/** Runs `code` once on `args` in the emulated runtime; never throws (a failure is an answer). */
export async function runInRuntime(
  code: string,
  args: Record<string, unknown>,
  options: { profile: RuntimeProfile; variables: Record<string, string>; timeoutMs: number },
): Promise<{ answer: RuntimeAnswer; lines: ConsoleLine[] }> {
  const restore = patchProcess(options.profile, options.variables);
  const lines: ConsoleLine[] = [];
  const keep = (captured: readonly unknown[]) =>
    lines.push(
      ...captured.map((line) => {
        const level =
          typeof line === 'object' && line !== null && typeof (line as { level?: unknown }).level === 'string'
            ? String((line as { level: string }).level)
            : 'info';
        return { level, message: typeof line === 'string' ? line : JSON.stringify(line) };
      }),
    );
  let unload = () => undefined as void;
  try {
    const globals = { ...strivacityGlobals(options.profile.deny), RedirectRequest: StrivacityRedirectRequest };
    const load = await captureConsole(() => loadBuiltHook(code, globals));
    keep(load.lines);
    unload = load.value.unload;
    // The runtime stays up a moment after the answer, as a real one does, so that background work the
    // code started (the token pre-fetch at load) logs into this call instead of after the world is gone.
    const run = await captureConsole(async () => {
      const answer = await callOnce(load.value.hook, args, options.timeoutMs);
      await delay(SETTLE_AFTER_ANSWER_MS);
      return answer;
    });
    keep(run.lines);
    return { answer: run.value, lines };
  } catch {
    return { answer: { status: 500, body: { message: 'The hook code could not be loaded.' } }, lines };
  } finally {
    unload();
    restore();
  }
}

function callOnce(hook: (args: unknown, callback: unknown, error: unknown) => Promise<void>, args: unknown, timeoutMs: number): Promise<RuntimeAnswer> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ status: 504, body: { message: `The hook did not answer within ${timeoutMs} ms.` } }), timeoutMs);
    const answer = (status: number) => (value?: unknown) => {
      clearTimeout(timer);
      // The runtime answers with JSON: a class instance arrives as its fields.
      resolve({ status, body: value === undefined ? {} : (JSON.parse(JSON.stringify(value)) as Record<string, unknown>) });
    };
    // Assumed mapping (unpublished): callback -> 200, error (deny) -> 403.
    hook(args, answer(200), answer(403)).catch(() => {
      clearTimeout(timer);
      resolve({ status: 500, body: { message: 'The hook threw.' } });
    });
  });
}

type Patch = () => void;

/** Applies the profile to the process; the returned function undoes every change. */
function patchProcess(profile: RuntimeProfile, variables: Record<string, string>): Patch {
  const undo: Patch[] = [];
  const replace = (target: object, key: PropertyKey, value: unknown) => {
    const saved = Object.getOwnPropertyDescriptor(target, key);
    Object.defineProperty(target, key, { value, configurable: true, writable: true, enumerable: saved?.enumerable ?? true });
    undo.push(() => (saved === undefined ? Reflect.deleteProperty(target, key) : Object.defineProperty(target, key, saved)));
  };
  replace(process, 'version', profile.nodeVersion);
  if (!profile.fetch) replace(globalThis, 'fetch', undefined);
  if (profile.domainLoaded) {
    // What Node does once `domain` is loaded: the capture callback belongs to it.
    const refuse = () => {
      throw Object.assign(new Error('The domain module is in use, which is mutually exclusive with setUncaughtExceptionCaptureCallback()'), {
        code: 'ERR_DOMAIN_CANNOT_SET_UNCAUGHT_EXCEPTION_CAPTURE',
      });
    };
    replace(process, 'setUncaughtExceptionCaptureCallback', refuse);
    const loadList = (process as unknown as { moduleLoadList?: string[] }).moduleLoadList ?? [];
    replace(process, 'moduleLoadList', [...loadList, 'NativeModule domain']);
  }
  for (const [name, value] of Object.entries(variables)) {
    if (profile.secrets === 'env') {
      const saved = process.env[name];
      process.env[name] = value;
      undo.push(() => (saved === undefined ? delete process.env[name] : (process.env[name] = saved)));
    } else if (profile.secrets === 'global') {
      replace(globalThis, name, value);
    }
  }
  return () => {
    for (const step of undo.reverse()) step();
  };
}
