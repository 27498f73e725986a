// What one `culture-lab <name>` subcommand is: a summary for the top-level help and a run function that
// returns the process exit code. Output goes through `io` so tests can capture it without spawning.
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** Working directory the command resolves relative paths against. */
  cwd: string;
}

export interface CliCommand {
  name: string;
  summary: string;
  /** Full `--help` text: usage, options, and what happens on bad input. */
  help: string;
  run(args: string[], io: CliIO): Promise<number>;
}
