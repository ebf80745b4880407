/**
 * What `contract` learned about one hook type, in one value: the descriptor's row, the snippets,
 * and what the readers found in the generated code and sample body. The code and the body
 * themselves travel only to the files; the report prints names and paths, never a sample value.
 */
import type { DescriptorRow, ProbeHook, Snippet } from './contract-client.js';
import { type BodyPaths, readBodyPaths } from './read-body.js';
import { type ArgumentPath, type ExportedFunction, readArgumentPaths, readExportedFunction, readResultClasses, type ResultClass } from './read-code.js';

export interface TypeContract {
  readonly type: string;
  readonly blocking: string | undefined;
  readonly target: string | undefined;
  /** The temporary hook's name (it is deleted by the time this is printed). */
  readonly probeName: string;
  readonly snippets: readonly Snippet[];
  /** False when the answer carried no generated code. */
  readonly hasCode: boolean;
  readonly argumentPaths: readonly ArgumentPath[];
  readonly body: BodyPaths & { readonly present: boolean };
  readonly resultClasses: readonly ResultClass[];
  readonly exported: ExportedFunction | undefined;
  /** Paths of the files written for this type (empty without an output folder). */
  readonly files: readonly string[];
}

/** Reads the contract of `row.name` out of the hook read back. */
export function readTypeContract(row: DescriptorRow, hook: ProbeHook, probeName: string, snippets: readonly Snippet[]): Omit<TypeContract, 'files'> {
  const code = hook.code ?? '';
  return {
    type: row.name,
    blocking: row.blocking,
    target: row.target,
    probeName,
    snippets,
    hasCode: hook.code !== undefined,
    argumentPaths: readArgumentPaths(code),
    body: { ...readBodyPaths(hook.requestBody), present: hook.requestBody !== undefined },
    resultClasses: readResultClasses(code),
    exported: hook.code === undefined ? undefined : readExportedFunction(code),
  };
}
