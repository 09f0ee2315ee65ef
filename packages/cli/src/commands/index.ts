// The `kpa` subcommands. A new command is one file in this folder and one line here.
import type { Command } from './command.js';
import { simulateCommand } from './simulate.js';
import { statusCommand } from './status.js';

export const COMMANDS: readonly Command[] = [simulateCommand, statusCommand];

export type { CliIo, Command } from './command.js';
