// The `kpa` subcommands. A new command is one file in this folder and one line here.
import type { Command } from './command.js';
import { simulateCommand } from './simulate.js';

export const COMMANDS: readonly Command[] = [simulateCommand];

export type { CliIo, Command } from './command.js';
