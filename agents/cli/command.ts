// What one `culture-lab <name>` subcommand is: a summary for the top-level help and a run function that
// returns the process exit code. Output goes through `io` so tests can capture it without spawning.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { CultureLabError } from "../../workspace-kb/errors";
import { nearestName } from "../loop/nearestName";

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** Working directory the command resolves relative paths against. */
  cwd: string;
  /** On a terminal: show one transient line in place (undefined clears it). Absent in logs, pipes and tests. */
  status?: (line: string | undefined) => void;
}

export interface CliCommand {
  name: string;
  summary: string;
  /** Full `--help` text: usage, options, and what happens on bad input. */
  help: string;
  run(args: string[], io: CliIO): Promise<number>;
}

/**
 * Parses a command's arguments. A wrong option or a missing argument is a usage error: `runCli` prints it in
 * one line with where to find the options, and exits 2.
 */
export function parseCommandArgs<T extends ParseArgsConfig>(command: string, config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    const unknown = code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? /'(-{1,2}[^']+)'/.exec(message)?.[1] : undefined;
    if (unknown !== undefined) {
      const near = nearestName(unknown.replace(/^-+/, ""), Object.keys(config.options ?? {}));
      throw usageError(command, `unknown option ${unknown}.${near ? ` Did you mean --${near}?` : ""}`);
    }
    throw usageError(command, message);
  }
}

export function usageError(command: string, message: string): CultureLabError {
  return new CultureLabError("usage", message, `Run \`culture-lab ${command} --help\` for the options.`);
}
