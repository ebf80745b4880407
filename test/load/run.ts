/**
 * `npm run test:load [-- --runs 10 --busy 2]`: the built-file suites (test/built/) run again and
 * again with CPU-bound processes beside them, the way a shared 2-core CI machine runs them. A test
 * that fails only under load is a defect (issue 17: a fixed 20 ms timer raced nock's playback and
 * failed about one run in six with two busy loops beside it). It prints each run's failures by
 * name and a summary, and exits 1 if any run failed. Not part of `npm test`: 10 runs take minutes.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('../..', import.meta.url));
const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' }, busy: { type: 'string', default: '2' } }, strict: true });
const runs = Number(values.runs);
const busy = Number(values.busy);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(busy) || busy < 0) {
  console.error('test:load: --runs must be a whole number of at least 1 and --busy one of at least 0.');
  process.exit(2);
}

interface VitestJson {
  numFailedTests: number;
  numTotalTests: number;
  testResults: Array<{ name: string; message?: string; assertionResults: Array<{ fullName: string; status: string; failureMessages?: string[] }> }>;
}

/** The first line of a failure message, without colours: enough to tell a timeout from an assertion. */
function firstLine(message: string | undefined): string {
  return (
    (message ?? '')
      // eslint-disable-next-line no-control-regex
      .replace(/\u001b\[[0-9;]*m/g, '')
      .split('\n')[0]
      ?.slice(0, 300) ?? ''
  );
}

// The busy processes: each spins one core until this script ends them (by pid, in `finally`).
const spinners = Array.from({ length: busy }, () => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
const reports = mkdtempSync(join(tmpdir(), 'test-load-'));
const failedRuns: string[][] = [];
try {
  for (let run = 1; run <= runs; run += 1) {
    const outputFile = join(reports, `run-${run}.json`);
    const started = Date.now();
    const result = spawnSync(
      process.execPath,
      [join(root, 'node_modules/vitest/vitest.mjs'), 'run', 'test/built/', '--reporter=json', `--outputFile=${outputFile}`],
      {
        cwd: root,
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    let failures: string[];
    let total = 0;
    try {
      const report = JSON.parse(readFileSync(outputFile, 'utf8')) as VitestJson;
      total = report.numTotalTests;
      failures = report.testResults.flatMap((file) => [
        ...file.assertionResults
          .filter((test) => test.status === 'failed')
          .map((test) => `${file.name.replace(root, '')} > ${test.fullName}\n      ${firstLine(test.failureMessages?.[0])}`),
        // A file that failed outside any test (an error in a hook, a crash) has no failed assertion.
        ...(file.assertionResults.every((test) => test.status !== 'failed') && file.message
          ? [`${file.name.replace(root, '')}: ${file.message.split('\n')[0]}`]
          : []),
      ]);
    } catch {
      failures = [`vitest wrote no report (exit status ${String(result.status)})`];
    }
    if (failures.length === 0 && result.status !== 0) failures = [`vitest exited with status ${String(result.status)}`];
    const load = loadavg()[0]?.toFixed(1) ?? '?';
    console.log(
      `run ${run}/${runs}: ${failures.length === 0 ? 'passed' : `${failures.length} failed`} (${total} tests, ${seconds} s, ${busy} busy processes, load average ${load})`,
    );
    for (const failure of failures) console.log(`  FAILED ${failure}`);
    if (failures.length > 0) failedRuns.push(failures);
  }
} finally {
  for (const spinner of spinners) spinner.kill();
  rmSync(reports, { recursive: true, force: true });
}
console.log(`test:load: ${runs - failedRuns.length} of ${runs} runs passed with ${busy} busy processes beside them.`);
process.exit(failedRuns.length === 0 ? 0 : 1);
