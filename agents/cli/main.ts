// The `culture-lab` command line: the same engine as the editor, driven headless.
import { CultureLabError } from "../../workspace-kb/errors";
import { fromOsError } from "../../workspace-kb/osError";
import type { CliIO } from "./command";
import { commands } from "./commands";
import { nearestName } from "../loop/nearestName";
import { CULTURE_LAB_VERSION } from "./version";

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.out(topLevelHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-v" || name === "version") {
    io.out(`culture-lab ${CULTURE_LAB_VERSION}`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    const near = nearestName(name, commands.map((c) => c.name));
    io.err(`culture-lab: unknown command '${name}'.${near ? ` Did you mean '${near}'?` : ""} Run \`culture-lab --help\` for the commands.`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(command.help);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof CultureLabError && error.code === "usage") {
      // One line and where to look: the whole help would bury the message.
      io.err(`culture-lab ${name}: ${error.message}\nRun \`culture-lab ${name} --help\` for the options.`);
      return 2;
    }
    // A read-only or full disk, a file where a folder should be: the environment, said as such, not a bug report.
    const known = error instanceof CultureLabError ? error : fromOsError(error);
    if (known) {
      io.err(`culture-lab ${name}: ${known.explain()}`);
      return 1;
    }
    throw error;
  }
}

function topLevelHelp(): string {
  const width = Math.max(0, ...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return ["Usage: culture-lab <command> [options]", "", "Commands:", ...lines, "", "culture-lab <command> --help shows a command's options; culture-lab --version its version."].join("\n");
}
