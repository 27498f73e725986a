// Every subcommand of the `culture-lab` CLI, in the order `culture-lab --help` lists them.
import type { CliCommand } from "./command";
import { kbCommand } from "./kbCommand";
import { makeModelCommand } from "./makeModelCommand";
import { metricsCommand } from "./metricsCommand";
import { modelsCommand } from "./modelsCommand";
import { replayCommand } from "./replayCommand";
import { reportCommand } from "./reportCommand";
import { runCommand } from "./runCommand";
import { bankCommand } from "./bankCommand";
import { checkProposalCommand } from "./checkProposalCommand";
import { collapseCommand } from "./collapseCommand";
import { experimentCommand } from "./experimentCommand";
import { buildNativeCommand } from "./buildNativeCommand";

export const commands: CliCommand[] = [runCommand, experimentCommand, replayCommand, reportCommand, kbCommand, makeModelCommand, modelsCommand, buildNativeCommand, bankCommand, checkProposalCommand, metricsCommand, collapseCommand];
