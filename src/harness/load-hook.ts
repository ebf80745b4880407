/**
 * Loads a built hook the way Strivacity runs it: the file's text compiled as a fresh CommonJS module
 * (its own scope, its own `module.exports`), with the runtime's result classes present as globals.
 * Used by `npm start`, the `try` command, the benchmark and the test suite of the built file.
 */
import Module from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type BuiltHookFunction = (args: unknown, callback: unknown, error: unknown) => Promise<void>;

/** Result classes of the Strivacity runtime, as published in its example hooks. */
export class StrivacityShowErrorMessage {
  constructor(
    readonly error_message: string,
    readonly session: unknown,
  ) {}
}
export class StrivacityErrorDenyRequest {
  constructor(
    readonly description: string,
    readonly hint: string,
  ) {}
}
export class StrivacityDenyRequest {
  constructor(
    readonly error: string,
    readonly description: string,
  ) {}
}

/** Which deny global the simulated runtime defines (both names have been published). */
export type DenyGlobal = 'ErrorDenyRequest' | 'DenyRequest' | 'none';

export function strivacityGlobals(deny: DenyGlobal = 'ErrorDenyRequest'): Record<string, unknown> {
  return {
    ShowErrorMessage: StrivacityShowErrorMessage,
    ...(deny === 'ErrorDenyRequest' ? { ErrorDenyRequest: StrivacityErrorDenyRequest } : {}),
    ...(deny === 'DenyRequest' ? { DenyRequest: StrivacityDenyRequest } : {}),
  };
}

interface CompilableModule {
  filename: string;
  paths: string[];
  exports: unknown;
  _compile(code: string, filename: string): void;
}
type ModuleInternals = { new (id: string): CompilableModule; _nodeModulePaths(from: string): string[] };

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Compiles `code` as a new module whose `require` resolves from this project's node_modules, with
 * `globals` defined on the global object for the module's lifetime; `unload()` removes them.
 */
export function loadBuiltHook(code: string, globals: Record<string, unknown> = strivacityGlobals()): { hook: BuiltHookFunction; unload: () => void } {
  const saved = new Map(Object.keys(globals).map((key) => [key, Object.getOwnPropertyDescriptor(globalThis, key)]));
  Object.assign(globalThis, globals);
  const unload = () => {
    for (const [key, descriptor] of saved) {
      if (descriptor === undefined) Reflect.deleteProperty(globalThis, key);
      else Object.defineProperty(globalThis, key, descriptor);
    }
  };
  const filename = join(PROJECT_ROOT, 'dist', `loaded-${process.pid}-${Date.now()}.hook.js`);
  const ModuleClass = Module as unknown as ModuleInternals;
  const loaded = new ModuleClass(filename);
  loaded.filename = filename;
  loaded.paths = ModuleClass._nodeModulePaths(PROJECT_ROOT);
  try {
    loaded._compile(code, filename);
  } catch (error) {
    unload();
    throw error;
  }
  if (typeof loaded.exports !== 'function') {
    unload();
    throw new Error('The built hook does not export a function.');
  }
  return { hook: loaded.exports as BuiltHookFunction, unload };
}
