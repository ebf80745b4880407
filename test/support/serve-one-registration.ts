/**
 * Child process of the "exits on its own" test: loads the built hook given as argv[2] (its config as JSON in argv[3]) the way
 * Strivacity would, serves one registration against the recorded stand-ins, prints what happened
 * and then simply returns. Nothing is closed or unloaded: if a timer of the hook (the token
 * renewal, a deadline) were ref'd, this process would stay alive until the parent kills it.
 */
import { readFileSync } from 'node:fs';
import { parseResolvedConfig } from '../../src/hook/config.js';
import { registrationPayload } from '../../src/harness/run-hook.js';
import { loadBuiltHook } from '../../src/harness/load-hook.js';
import { serveRecordedResponses } from '../../src/harness/stand-in.js';

const [hookFile = '', configJson = '{}'] = process.argv.slice(2);
const code = readFileSync(hookFile, 'utf8');
const config = parseResolvedConfig(JSON.parse(configJson));
const standIn = serveRecordedResponses(config);
const { hook } = loadBuiltHook(code);
const answer = await new Promise<unknown>((resolve) => {
  void hook(registrationPayload('ada.lovelace@example.com'), resolve, resolve);
});
const name = (answer as object).constructor.name;
console.log(`answered ${name}; token requests ${standIn.counts.token}; lookups ${standIn.counts.contacts}`);
