// Every subcommand of the `culture-lab` CLI, in the order `culture-lab --help` lists them.
import type { CliCommand } from "./command";

export const commands: CliCommand[] = [];
