// An experiment: conditions × seeds, each a whole culture-loop session on its own knowledge base, compared against
// a control. Conditions are listed by hand, or made as the cross product of a matrix of settings
// ({"knowledgeBaseAccess": [true, false], "sampling.temperature": [0.5, 1]} makes four). Every condition's
// configuration is checked like any run's, naming the experiment file and the condition.
import { z } from "zod";
import { CultureLabError } from "../../workspace-kb/errors";
import { configProblemLines } from "../loop/configProblems";
import { parseLoopConfig, type LoopConfig } from "../loop/loopConfig";

const settings = z.record(z.string(), z.unknown());

export const experimentSchema = z.strictObject({
  /** Shared by every condition; a condition's own settings go over it. */
  base: settings.default({}).describe("Settings every condition shares (a loop configuration; every setting optional)."),
  conditions: z
    .array(z.strictObject({ name: z.string().regex(/^[\w.=-]{1,60}$/, "letters, digits, '.', '=', '_' or '-', at most 60"), config: settings.default({}) }))
    .optional()
    .describe("Conditions by hand: a name and the settings that differ from base."),
  matrix: z
    .record(z.string().min(1), z.array(z.unknown()).min(1).max(10))
    .optional()
    .describe("Conditions as the cross product of settings (dotted paths) and their values."),
  /** The condition every other is compared with; the first when not named. */
  control: z.string().optional().describe("The condition the others are compared with (default: the first)."),
  seeds: z.array(z.number().int().min(0)).min(1).max(50).default([1, 2, 3]).describe("Seeds each condition runs with; a condition's run for a seed and the control's run for the same seed form a pair."),
});

export interface ExperimentCondition {
  name: string;
  /** The settings that make it differ from base, as written. */
  settings: Record<string, unknown>;
}

export interface ExperimentPlan {
  conditions: ExperimentCondition[];
  control: string;
  seeds: number[];
  /** The checked configuration of every (condition, seed) run. */
  configs: Map<string, LoopConfig>;
}

export const runKey = (condition: string, seed: number): string => `${condition}--seed-${seed}`;

export function parseExperiment(raw: unknown, source: string): ExperimentPlan {
  const result = experimentSchema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    const lines = configProblemLines(experimentSchema, result.error.issues, source);
    throw invalid(lines);
  }
  const spec = result.data;
  if (!spec.conditions && !spec.matrix) throw invalid([`${source}: name the conditions ("conditions": [{"name": …, "config": {…}}]) or a "matrix" of settings`]);
  if (spec.conditions && spec.matrix) throw invalid([`${source}: give "conditions" or "matrix", not both`]);
  const conditions = spec.conditions ? spec.conditions.map((c) => ({ name: c.name, settings: c.config })) : fromMatrix(spec.matrix!);
  if (conditions.length < 2) throw invalid([`${source}: an experiment compares at least two conditions`]);
  const names = new Set<string>();
  for (const c of conditions) {
    if (names.has(c.name)) throw invalid([`${source}: two conditions are named "${c.name}"`]);
    names.add(c.name);
  }
  const control = spec.control ?? conditions[0]!.name;
  if (!names.has(control)) throw invalid([`${source}: the control "${control}" is not one of the conditions (${[...names].join(", ")})`]);
  if (new Set(spec.seeds).size !== spec.seeds.length) throw invalid([`${source}: "seeds" lists a seed twice`]);

  const configs = new Map<string, LoopConfig>();
  const problems: string[] = [];
  for (const condition of conditions) {
    const merged = merge(spec.base, condition.settings);
    if ("seed" in merged) problems.push(`${source}: condition "${condition.name}": "seed" is set by "seeds", not per condition`);
    for (const seed of spec.seeds) {
      try {
        configs.set(runKey(condition.name, seed), parseLoopConfig({ ...merged, seed }, `${source}, condition "${condition.name}"`));
      } catch (error) {
        if (!(error instanceof CultureLabError)) throw error;
        problems.push(...error.message.split("\n").slice(1).map((l) => l.trim()));
        break; // the same problems for every seed
      }
    }
  }
  if (problems.length > 0) throw invalid(problems);
  return { conditions, control, seeds: spec.seeds, configs };
}

/** Conditions as the cross product of the matrix, named "path=value,path=value". */
function fromMatrix(matrix: Record<string, unknown[]>): ExperimentCondition[] {
  let rows: Array<Array<[string, unknown]>> = [[]];
  for (const [path, values] of Object.entries(matrix)) rows = rows.flatMap((row) => values.map((v) => [...row, [path, v] as [string, unknown]]));
  return rows.map((row) => ({
    name: row.map(([path, v]) => `${path.split(".").pop()}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(",").replace(/[^\w.=,-]/g, "_").replace(/,/g, "_").slice(0, 60),
    settings: row.reduce<Record<string, unknown>>((acc, [path, v]) => merge(acc, nested(path, v)), {}),
  }));
}

function nested(path: string, value: unknown): Record<string, unknown> {
  return path.split(".").reduceRight<Record<string, unknown>>((inner, key, i, keys) => (i === keys.length - 1 ? { [key]: value } : { [key]: inner }), {});
}

/** Deep merge of settings objects: objects merge key by key, anything else replaces. */
export function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isObject(current) && isObject(value) ? merge(current, value) : value;
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function invalid(lines: string[]): CultureLabError {
  return new CultureLabError(
    "experiment-invalid",
    `The experiment is not valid (${lines.length} ${lines.length === 1 ? "problem" : "problems"}):\n${lines.map((l) => `  ${l}`).join("\n")}`,
    "Fix the settings named above (see README \"Experiments\").",
  );
}
