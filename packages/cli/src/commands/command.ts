// What every `kpa <command>` implements, and the I/O it is given (so tests can run it in-process).

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readFile(path: string): Promise<string>;
  writeFile(path: string, data: string | Uint8Array): Promise<void>;
}

export interface Command {
  name: string;
  /** One line for `kpa help`. */
  summary: string;
  /** Runs with the arguments after the command name; resolves to the exit code. Throws CliError. */
  run(argv: string[], io: CliIo): Promise<number>;
}
