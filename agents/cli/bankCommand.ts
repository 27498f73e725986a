// `culture-lab bank`: prints the held-out bank for a seed, so a person can see exactly what the population
// is measured on (and check that a seed really fixes it).
import { CultureLabError } from "../../workspace-kb/errors";
import { parseCommandArgs, type CliCommand } from "./command";
import { Sandbox } from "../sandbox/sandbox";
import { generateBank } from "../problems/bank";

const help = `Usage: culture-lab bank [options]

Prints the held-out bank of problems, one JSON object per line: {"id", "difficulty", "problem"}.
The problems are composed by code from list, string and number steps (difficulty = number of steps),
cycle through deduction, abduction and induction, and each was run twice in the sandbox when generated.
The same seed always prints the same bank.

Options:
  --seed N        bank seed (default 1)
  --per-level N   problems per difficulty level (default 3, at most 1000)
  --levels LIST   comma-separated difficulty levels from 1 to 12 (default 1,2,3,4,5)

On bad input (a seed or count that is not a whole number, a level outside 1–12, more than 1000 per
level) it says which option is wrong in one line and exits 1; an unknown option exits 2.`;

export const bankCommand: CliCommand = {
  name: "bank",
  summary: "print the held-out problem bank for a seed",
  help,
  async run(args, io) {
    const options = parseBankArgs(args);
    const sandbox = await Sandbox.create();
    try {
      for (const item of await generateBank(sandbox, options)) io.out(JSON.stringify(item));
    } finally {
      sandbox.dispose();
    }
    return 0;
  },
};

function parseBankArgs(args: string[]): { seed: number; perLevel: number; levels: number[] } {
  const { values } = parseCommandArgs("bank", { args, options: { seed: { type: "string" }, "per-level": { type: "string" }, levels: { type: "string" } } });
  return {
    seed: integer("--seed", values.seed ?? "1", 0, 2 ** 32 - 1),
    perLevel: integer("--per-level", values["per-level"] ?? "3", 1, 1000),
    levels: (values.levels ?? "1,2,3,4,5").split(",").map((level) => integer("--levels", level.trim(), 1, 12)),
  };
}

function integer(option: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new CultureLabError("bad-argument", `${option} must be a whole number from ${min} to ${max}, not '${text}'.`);
  }
  return value;
}
