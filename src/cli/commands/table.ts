/** The command table: each command's name and the function that runs it. */
import { doctorCommand } from '../doctor/doctor.js';
import type { CommandName } from '../help.js';
import { initCommand } from '../init/command.js';
import { payloadsCommand } from '../payloads.js';
import { recordCommand } from '../record/command.js';
import { deployCommand } from '../strivacity/deploy.js';
import { logsCommand } from '../strivacity/logs.js';
import { probeCommand } from '../strivacity/probe.js';
import { tryoutCommand } from '../strivacity/tryout.js';
import { tryCommand } from '../try.js';
import { buildCommand } from './build.js';
import { sandboxCommand } from './sandbox.js';

export interface CommandResult {
  readonly exitCode: number;
}

export type Command = (argv: string[]) => Promise<CommandResult>;

export const COMMANDS: Record<CommandName, Command> = {
  init: initCommand,
  build: buildCommand,
  try: tryCommand,
  payloads: payloadsCommand,
  doctor: doctorCommand,
  record: recordCommand,
  probe: probeCommand,
  deploy: deployCommand,
  tryout: tryoutCommand,
  logs: logsCommand,
  sandbox: sandboxCommand,
};
