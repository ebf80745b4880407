/** `dynamics-hook init`: placeholder until the starter config lands. */
import { UsageError } from '../usage.js';

export async function initCommand(_argv: string[]): Promise<{ exitCode: number }> {
  throw new UsageError('init is not available yet.');
}
