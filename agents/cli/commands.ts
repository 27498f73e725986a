// Every subcommand of the `culture-lab` CLI, in the order `culture-lab --help` lists them.
import type { CliCommand } from "./command";
import { kbCommand } from "./kbCommand";
import { makeModelCommand } from "./makeModelCommand";

export const commands: CliCommand[] = [kbCommand, makeModelCommand];
