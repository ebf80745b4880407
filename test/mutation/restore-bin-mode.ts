/**
 * Stryker copies the project into a sandbox without file modes, so the bin launcher loses the execute
 * bit git gives it (100755) and test/cli/commands.test.ts, which runs the installed bin by its shebang,
 * fails with EACCES before a mutant is tested. Give the sandbox copy the mode the repository has.
 */
import { chmodSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export default function restoreBinMode(): void {
  chmodSync(fileURLToPath(new URL('../../src/cli/dynamics-hook.mjs', import.meta.url)), 0o755);
}
