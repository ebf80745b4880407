/**
 * The reverse of `renderConfigBlock`: the config a built file carries, read back from its
 * `const HOOK_CONFIG = {...};` block. The block is JSON with `//` comments (each key and value is
 * written with `JSON.stringify`), so a JSONC parser reads it without running the code.
 */
import { parse, type ParseError } from 'jsonc-parser';

const CONFIG_BLOCK = /^const HOOK_CONFIG = ([\s\S]*?^\});$/m;

/** The HOOK_CONFIG object of a built hook, or undefined when the code has none (not built by dynamics-hook). */
export function readConfigBlock(code: string): Record<string, unknown> | undefined {
  const literal = CONFIG_BLOCK.exec(code)?.[1];
  if (literal === undefined) return undefined;
  const errors: ParseError[] = [];
  const value: unknown = parse(literal, errors, { disallowComments: false, allowTrailingComma: false });
  return errors.length === 0 && typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
