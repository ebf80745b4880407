/**
 * `npm run bench:storm`: the login storm of `npm run bench` alone (`storm.ts`).
 *
 * Usage: `npm run bench:storm -- [--duration 20] [--rate <sign-ins/s>] [--window-requests 100] [--window 5] [--no-warm]`
 * (`--rate` defaults to three times `--window-requests / --window`; `--window` is in seconds).
 * Not a test: nothing here passes or fails a build.
 */
import { cpus } from 'node:os';
import { formatStorm, parseStormArgs, runStorm } from './storm.js';

const options = parseStormArgs(process.argv.slice(2));
const cpu = cpus();
console.log(`Machine: ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores, Node ${process.version}, ${process.platform}/${process.arch}`);
console.log(`Login storm: the built post-identification hook (offline, about ${Math.round(options.durationS + (options.warm === false ? 3 : 15))} s)...\n`);
console.log(formatStorm(await runStorm(options)));
