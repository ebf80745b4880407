/**
 * Secrets are read at run time by variable name. How Strivacity exposes hook variables to code is
 * not documented, so both plausible channels are tried: `process.env[NAME]`, then a global `NAME`.
 */
export type SecretReader = (name: string) => string | undefined;

export const readSecret: SecretReader = (name) => {
  const fromEnv = typeof process === 'undefined' ? undefined : process.env[name];
  if (typeof fromEnv === 'string' && fromEnv.length > 0) return fromEnv;
  const fromGlobal: unknown = (globalThis as Record<string, unknown>)[name];
  return typeof fromGlobal === 'string' && fromGlobal.length > 0 ? fromGlobal : undefined;
};

/** PEM keys pasted into a single-line variable usually arrive with literal `\n` sequences. */
export function normalisePem(value: string): string {
  return value.replaceAll('\\n', '\n');
}
