/** The command table: every command of `dynamics-hook`, in the order the overview lists them. */
import type { Command } from '../args.js';
import { BUILD_COMMAND } from './build.js';
import { CONTRACT_COMMAND } from './contract/command.js';
import { DEPLOY_COMMAND } from './deploy/deploy.js';
import { DOCTOR_COMMAND } from './doctor/doctor.js';
import { INIT_COMMAND } from './init/command.js';
import { LOGS_COMMAND } from './logs/logs.js';
import { PAYLOADS_COMMAND } from './payloads.js';
import { PROBE_COMMAND } from './probe/probe.js';
import { RECORD_COMMAND } from './record/command.js';
import { SANDBOX_COMMAND } from './sandbox.js';
import { TRY_COMMAND } from './try/try.js';
import { TRYOUT_COMMAND } from './tryout/tryout.js';

export const COMMAND_LIST: readonly Command[] = [
  INIT_COMMAND,
  BUILD_COMMAND,
  TRY_COMMAND,
  PAYLOADS_COMMAND,
  DOCTOR_COMMAND,
  RECORD_COMMAND,
  PROBE_COMMAND,
  DEPLOY_COMMAND,
  TRYOUT_COMMAND,
  LOGS_COMMAND,
  CONTRACT_COMMAND,
  SANDBOX_COMMAND,
];

/** The command named `name`, if there is one. */
export function commandNamed(name: string): Command | undefined {
  return COMMAND_LIST.find((command) => command.name === name);
}
