/**
 * Drives a loaded hook with one registration and reports what it answered: which callback, the
 * object passed to it, the log lines it wrote and the time it took. Shared by `npm start`, `try`
 * and the benchmark.
 */
import { getPath } from '../hook/attributes.js';
import type { BuiltHookFunction } from './load-hook.js';

export interface HookRun {
  /** `callback` or `error`, or `none` if the hook did not answer (a bug: it always should). */
  readonly via: 'callback' | 'error' | 'none';
  readonly result: unknown;
  readonly calls: number;
  readonly logLines: readonly unknown[];
  readonly elapsedMs: number;
}

/** The pre-registration sample payload lives with its kind; re-exported for the harness's callers. */
export { registrationPayload } from '../build/kinds/pre-registration.js';

/**
 * Runs `work` with `console.log`/`warn`/`error` captured (the hook logs JSON lines there): each
 * line is kept, parsed when it is JSON. The console is restored when `work` settles.
 */
export async function captureConsole<T>(work: () => T | Promise<T>): Promise<{ value: T; lines: unknown[] }> {
  const lines: unknown[] = [];
  const original = { log: console.log, warn: console.warn, error: console.error };
  const capture = (...parts: unknown[]) => {
    const text = parts.map(String).join(' ');
    try {
      lines.push(JSON.parse(text));
    } catch {
      lines.push(text);
    }
  };
  Object.assign(console, { log: capture, warn: capture, error: capture });
  try {
    return { value: await work(), lines };
  } finally {
    Object.assign(console, original);
  }
}

/** Runs the hook once and reports its answer, its log lines and the time it took. */
export async function runHook(hook: BuiltHookFunction, payload: unknown): Promise<HookRun> {
  let via: HookRun['via'] = 'none';
  let result: unknown;
  let calls = 0;
  const started = performance.now();
  const { lines } = await captureConsole(() =>
    hook(
      payload,
      (value: unknown) => {
        calls += 1;
        via = 'callback';
        result = value;
      },
      (value: unknown) => {
        calls += 1;
        via = 'error';
        result = value;
      },
    ),
  );
  return { via, result, calls, logLines: lines, elapsedMs: performance.now() - started };
}

/** The class of what the hook answered with (`RegistrationData`, `ShowErrorMessage`, ...), or its `typeof`. */
export function resultClassOf(value: unknown): string {
  if (typeof value !== 'object' || value === null) return typeof value;
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name ?? 'Object';
  // load-hook.ts names its stand-ins of the runtime's globals `StrivacityShowErrorMessage`, ...
  return name.replace(/^Strivacity(?=[A-Z])/, '');
}

/** One line for a result object: the decision and what it carries (field names, never values). */
export function describeResult(run: HookRun, enrichPaths: readonly string[] = []): { decision: string; detail: string } {
  const result = (run.result ?? {}) as Record<string, unknown>;
  const className = run.result === undefined ? 'none' : resultClassOf(run.result);
  if (run.via === 'error') return { decision: 'deny', detail: String(result['description'] ?? '') };
  if (className.includes('ShowErrorMessage')) return { decision: 'showError', detail: String(result['error_message'] ?? '') };
  if (className.includes('AllowAuthentication')) return { decision: 'allow', detail: 'AllowAuthentication' };
  if (className.includes('RedirectRequest')) return { decision: 'redirect', detail: String(result['url'] ?? '') };
  if (className === 'RegistrationData') {
    const session = (result['session'] ?? {}) as { dynamics?: { contactId?: string } };
    const attributes = (result['attributes'] ?? {}) as Record<string, unknown>;
    const filled = enrichPaths.filter((path) => {
      const value = getPath(attributes, path);
      return typeof value === 'string' && value !== '';
    });
    const contact = session.dynamics?.contactId === undefined ? 'no contact linked' : `contact ${session.dynamics.contactId.slice(0, 8)}...`;
    return { decision: 'allow', detail: filled.length === 0 ? contact : `${contact}; filled ${filled.join(', ')}` };
  }
  return { decision: run.via, detail: className };
}
