/** Stable codes for everything the CLI reports to a person; tests match on `code`. */
export type CliErrorCode =
  | 'E_USAGE' // a bad flag, a missing argument, an unknown command
  | 'E_TRACE' // the trace file does not parse
  | 'E_CONFIG' // --config or --annotation rejected by @kpa-ts/config
  | 'E_IO'; // a file could not be read or written

const EXIT_CODES: Record<CliErrorCode, number> = { E_USAGE: 2, E_TRACE: 2, E_CONFIG: 2, E_IO: 1 };

export class CliError extends Error {
  override readonly name = 'CliError';
  readonly code: CliErrorCode;

  constructor(code: CliErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** 2 for anything the user typed or supplied, 1 for I/O trouble. */
  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}
