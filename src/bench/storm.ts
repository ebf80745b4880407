/**
 * The login storm of `npm run bench` (and `npm run bench:storm` alone): sign-ins at three times the
 * rate Dataverse allows one application user, through the BUILT post-identification hook, against
 * a stand-in that enforces a scaled service-protection window (`storm-stand-in.ts`).
 *
 * Two processes, as the bursts (`burst.ts`): this one hosts the stand-in and judges what reached it;
 * a child (`storm-child.ts`, no nock) loads the built file and signs people in on a fixed schedule,
 * then times the gate's warm cost beside a bare dynamics-web-api call. The window is scaled (100
 * requests per 5 s by default: Dataverse's 20 a second, with holds of seconds rather than minutes)
 * so that a 20 s run sees the hold begin, end and begin again.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { StormChildResult, StormJob, WarmPair } from './storm-child.js';
import { type AnnouncedHold, judgeAgainstHolds, startStormStandIn } from './storm-stand-in.js';
import { PROJECT_ROOT, benchConfig, percentile } from './support.js';
import { buildHook } from '../build/build-hook.js';
import { createSelfSignedCertificate } from '../harness/self-signed.js';
import { formatTable } from '../harness/table.js';

export interface StormOptions {
  readonly durationS: number;
  /** Sign-ins per second (default: three times `windowRequests / windowS`). */
  readonly ratePerS: number;
  readonly windowRequests: number;
  readonly windowS: number;
  readonly maxConcurrent: number;
  /** The stand-in's time per accepted request, in ms. */
  readonly serviceMs: number;
  /** The hook's `login.timeoutMs`. */
  readonly timeoutMs: number;
  /** The hook's `policy.maxConcurrentRequests` (its own cap, well below Dataverse's 52). */
  readonly hookMaxConcurrent: number;
  /** The warm-cost phase after the storm; `false` leaves it out. */
  readonly warm: { readonly rounds: number; readonly perRound: number } | false;
}

export const STORM_DEFAULTS = {
  durationS: 20,
  windowRequests: 100,
  windowS: 5,
  maxConcurrent: 52,
  serviceMs: 10,
  timeoutMs: 1500,
  hookMaxConcurrent: 10,
  warm: { rounds: 10, perRound: 200 },
} as const;

export type Phase = 'before' | 'during' | 'after';

export interface StormFigures {
  readonly options: StormOptions;
  readonly signIns: number;
  readonly answeredOnce: number;
  /** Sign-ins that shared the lookup of another sign-in of the same person in flight. */
  readonly joined: number;
  readonly requests: number;
  readonly throttled: { readonly window: number; readonly concurrency: number };
  readonly holds: number;
  /** Time covered by at least one announced hold, in ms. */
  readonly heldMs: number;
  readonly startedDuringKnownHold: number;
  /** Requests that arrived in a hold, sent before its 429 reached the hook. */
  readonly arrivedUnawareDuringHold: number;
  readonly maxInFlight: number;
  readonly answerMs: { readonly p50: number; readonly p99: number; readonly max: number; readonly overDeadline: number };
  /** Decisions (`outcome (reason)`) by when the sign-in started: before the first hold, in a hold, outside holds after it. */
  readonly decisions: Record<Phase, Record<string, number>>;
  readonly tokenRequests: number;
  readonly warm: { readonly byId: WarmPair; readonly byEmail: WarmPair } | undefined;
  readonly loadAverage: { readonly start: number; readonly end: number };
}

/** The storm's flags, shared by `npm run bench:storm` and `npm run bench`. */
export function parseStormArgs(args: readonly string[]): StormOptions {
  const { values } = parseArgs({
    args: [...args],
    options: {
      duration: { type: 'string' },
      rate: { type: 'string' },
      'window-requests': { type: 'string' },
      window: { type: 'string' },
      'no-warm': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const positive = (flag: string, value: string | undefined, fallback: number) => {
    if (value === undefined) return fallback;
    const number = Number(value);
    if (!Number.isFinite(number) || number <= 0) throw new Error(`--${flag} takes a positive number.`);
    return number;
  };
  const windowRequests = Math.round(positive('window-requests', values['window-requests'], STORM_DEFAULTS.windowRequests));
  const windowS = positive('window', values.window, STORM_DEFAULTS.windowS);
  return {
    ...STORM_DEFAULTS,
    durationS: positive('duration', values.duration, STORM_DEFAULTS.durationS),
    ratePerS: positive('rate', values.rate, (3 * windowRequests) / windowS),
    windowRequests,
    windowS,
    warm: values['no-warm'] ? false : STORM_DEFAULTS.warm,
  };
}

/** Runs one storm: the stand-in here, the built hook in a child process. */
export async function runStorm(options: StormOptions): Promise<StormFigures> {
  const loadAtStart = loadavg()[0] ?? NaN;
  const tls = createSelfSignedCertificate('127.0.0.1');
  const standIn = await startStormStandIn(tls, {
    windowRequests: options.windowRequests,
    windowMs: options.windowS * 1000,
    maxConcurrent: options.maxConcurrent,
    serviceMs: options.serviceMs,
  });
  const dir = mkdtempSync(join(tmpdir(), 'hook-storm-'));
  try {
    const config = {
      ...benchConfig(standIn.url),
      policy: { ...benchConfig(standIn.url).policy, maxConcurrentRequests: options.hookMaxConcurrent },
      login: { timeoutMs: options.timeoutMs },
    };
    const codeFile = join(dir, 'hook.js');
    const resultFile = join(dir, 'result.json');
    writeFileSync(codeFile, (await buildHook('post-identification', config)).code);
    writeFileSync(join(dir, 'ca.pem'), tls.certPem);
    const job: StormJob = {
      codeFile,
      resultFile,
      durationMs: options.durationS * 1000,
      ratePerS: options.ratePerS,
      ...(options.warm === false ? {} : { warm: { ...options.warm, keyPem: tls.keyPem, certPem: tls.certPem } }),
    };
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./storm-child.ts', import.meta.url))], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, HOOK_STORM: JSON.stringify(job), NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', resolve);
    });
    if (exitCode !== 0) throw new Error(`The storm process exited with code ${String(exitCode)}.`);
    const result = JSON.parse(readFileSync(resultFile, 'utf8')) as StormChildResult;
    return { ...figuresOf(options, standIn, result), loadAverage: { start: loadAtStart, end: loadavg()[0] ?? NaN } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await standIn.close();
  }
}

function figuresOf(
  options: StormOptions,
  standIn: Parameters<typeof judgeAgainstHolds>[0] & { maxInFlight: () => number },
  result: StormChildResult,
): Omit<StormFigures, 'loadAverage'> {
  const { holds } = standIn;
  const firstHoldAt = Math.min(...holds.map((hold) => hold.announcedAt));
  const phaseOf = (at: number): Phase => (holds.some((hold) => hold.announcedAt <= at && at < hold.endsAt) ? 'during' : at < firstHoldAt ? 'before' : 'after');
  const decisions: StormFigures['decisions'] = { before: {}, during: {}, after: {} };
  for (const signIn of result.signIns) {
    const tally = decisions[phaseOf(signIn.startedAt)];
    const key = `${signIn.outcome} (${signIn.reason})`;
    tally[key] = (tally[key] ?? 0) + 1;
  }
  const answered = result.signIns.map((signIn) => signIn.answeredAfterMs).sort((a, b) => a - b);
  const throttledBy = (cause: AnnouncedHold['cause']) => holds.filter((hold) => hold.cause === cause).length;
  return {
    options,
    signIns: result.signIns.length,
    answeredOnce: result.signIns.filter((signIn) => signIn.answers === 1).length,
    joined: result.signIns.filter((signIn) => signIn.joined).length,
    requests: standIn.requests.length,
    throttled: { window: throttledBy('window'), concurrency: throttledBy('concurrency') },
    holds: holds.length,
    heldMs: coveredMs(holds),
    ...judgeAgainstHolds(standIn),
    maxInFlight: standIn.maxInFlight(),
    answerMs: {
      p50: percentile(answered, 50),
      p99: percentile(answered, 99),
      max: answered.at(-1) ?? NaN,
      overDeadline: answered.filter((ms) => ms > options.timeoutMs).length,
    },
    decisions,
    tokenRequests: result.tokenRequests,
    warm: result.warm,
  };
}

/** Length of the union of the holds' intervals. */
function coveredMs(holds: readonly AnnouncedHold[]): number {
  let covered = 0;
  let reach = -Infinity;
  for (const hold of [...holds].sort((a, b) => a.announcedAt - b.announcedAt)) {
    const from = Math.max(hold.announcedAt, reach);
    if (hold.endsAt > from) covered += hold.endsAt - from;
    reach = Math.max(reach, hold.endsAt);
  }
  return covered;
}

// ---------------------------------------------------------------------------------------------
// Report

const ms = (value: number) => `${value.toFixed(0)} ms`;

export function formatStorm(f: StormFigures): string {
  const o = f.options;
  const allowedPerS = o.windowRequests / o.windowS;
  const lines = [
    `Window: ${o.windowRequests} requests per ${o.windowS} s sliding window per application user (${allowedPerS.toFixed(0)}/s; Dataverse: 6,000 per 300 s), ${o.maxConcurrent} at once, stand-in ${o.serviceMs} ms per request`,
    `Sign-ins: ${o.ratePerS.toFixed(0)}/s (${(o.ratePerS / allowedPerS).toFixed(1)}x the allowed rate) for ${o.durationS} s; every 5th is the previous person again at once, every 10th person is not in the CRM; login.timeoutMs ${o.timeoutMs}, policy.maxConcurrentRequests ${o.hookMaxConcurrent}`,
    `Load average (1 min): ${f.loadAverage.start.toFixed(1)} at start, ${f.loadAverage.end.toFixed(1)} at end\n`,
    formatTable(
      [
        ['figure', 'value'],
        ['sign-ins (answered exactly once)', `${f.signIns} (${f.answeredOnce})`],
        ["sign-ins that shared another one's lookup (single flight)", String(f.joined)],
        ['Dataverse requests sent (reached the stand-in)', `${f.requests} (${(f.requests / f.signIns).toFixed(2)} per sign-in)`],
        ['429s received: window, concurrency', `${f.throttled.window}, ${f.throttled.concurrency}`],
        ['holds announced; time under a hold', `${f.holds}; ${(f.heldMs / 1000).toFixed(1)} s of ${o.durationS} s`],
        ['requests started during a hold the hook had received (goal 0)', String(f.startedDuringKnownHold)],
        ['requests that arrived in a hold, sent before its 429 reached the hook', String(f.arrivedUnawareDuringHold)],
        ['most requests in flight at once (stand-in)', String(f.maxInFlight)],
        ['answer time p50 / p99 / max (caller)', `${ms(f.answerMs.p50)} / ${ms(f.answerMs.p99)} / ${ms(f.answerMs.max)}`],
        [`answered after the deadline (${o.timeoutMs} ms)`, String(f.answerMs.overDeadline)],
        ['token requests (the pre-fetch at load included)', String(f.tokenRequests)],
      ],
      'markdown',
    ),
    '\nDecisions by when the sign-in started: before the first 429, inside a hold, outside holds after the first\n',
    formatTable(
      [
        ['decision (reason)', 'before', 'during a hold', 'after'],
        ...[...new Set(Object.values(f.decisions).flatMap((tally) => Object.keys(tally)))]
          .sort()
          .map((key) => [key, String(f.decisions.before[key] ?? 0), String(f.decisions.during[key] ?? 0), String(f.decisions.after[key] ?? 0)]),
      ],
      'markdown',
    ),
  ];
  if (f.warm !== undefined) {
    const row = (label: string, pair: WarmPair) => [
      label,
      `${pair.gateMedianUs.toFixed(0)} µs`,
      `${pair.bareMedianUs.toFixed(0)} µs`,
      (pair.gateMedianUs / pair.bareMedianUs).toFixed(2),
      pair.gateMedianUs / pair.bareMedianUs <= 1.35 ? 'met' : 'NOT met',
    ];
    lines.push(
      `\nThe gate's warm cost (concurrency 1, local HTTPS stand-in in its own process answering at once, ${f.warm.byId.samples.toLocaleString('en')} samples a side, interleaved)\n`,
      formatTable(
        [
          ['gate path', 'gate median', 'bare dynamics-web-api median', 'ratio', 'goal <= 1.35'],
          row('by link: GET contacts(<id>) vs bare retrieve', f.warm.byId),
          row('by email: GET contacts?$filter vs bare retrieveMultiple', f.warm.byEmail),
        ],
        'markdown',
      ),
    );
  }
  return lines.join('\n');
}
