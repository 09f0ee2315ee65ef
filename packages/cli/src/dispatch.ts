// `kpa <command> [args]`: finds the command, runs it, turns errors into a message and an exit code.
import { COMMANDS, type CliIo, type Command } from './commands/index.js';
import { CliError } from './errors.js';

export function usage(commands: readonly Command[] = COMMANDS): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `Usage: kpa <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun \`kpa <command> --help\` for a command's options.\n`;
}

async function runCommand(argv: string[], io: CliIo, commands: readonly Command[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.stdout(usage(commands));
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) throw new CliError('E_USAGE', `unknown command "${name}"; commands: ${commands.map((c) => c.name).join(', ')}`);
  return command.run(rest, io);
}

/** Runs `argv` (without node and the script) and resolves to the process exit code. Never throws. */
export async function dispatch(argv: string[], io: CliIo, commands: readonly Command[] = COMMANDS): Promise<number> {
  try {
    return await runCommand(argv, io, commands);
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr(`kpa: ${err.message}\n`);
      if (err.code === 'E_USAGE') io.stderr('(kpa <command> --help shows the options)\n');
      return err.exitCode;
    }
    io.stderr(`kpa: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}
