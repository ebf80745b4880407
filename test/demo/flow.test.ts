/**
 * The scripted demo flow keeps nothing: it used to leave a `demo-flow-*` folder (config and
 * backups) in the temporary folder after every run. Interrupted half-way, it still removes it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../src/demo/flow.ts', import.meta.url));

describe('the demo flow', () => {
  it('removes its temporary folder when interrupted with Ctrl-C, and exits 130', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'demo-flow-test-'));
    // tsx's cache off: the folder then holds only what the script writes.
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
      env: { ...process.env, TMPDIR: tmp, TSX_DISABLE_CACHE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    // Interrupted after the first command ran, when the folder and its config exist.
    while (!output.includes('(exit code') && child.exitCode === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(readdirSync(tmp).filter((name) => name.startsWith('demo-flow-'))).toHaveLength(1);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(readdirSync(tmp)).toEqual([]);
  }, 90_000);
});
