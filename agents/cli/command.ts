// What one `culture-lab <name>` subcommand is: a summary for the top-level help and a run function that
// returns the process exit code. Output goes through `io` so tests can capture it without spawning.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { CultureLabError } from "../../workspace-kb/errors";

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

/**
 * Parses a command's arguments. A wrong option or a missing argument is a usage error: `runCli` prints it with
 * the command's help and exits 2.
 */
export function parseCommandArgs<T extends ParseArgsConfig>(command: string, config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw usageError(command, (error as Error).message);
  }
}

export function usageError(command: string, message: string): CultureLabError {
  return new CultureLabError("usage", message, `Run \`culture-lab ${command} --help\` for the options.`);
}
