// The culture loop's configuration: one typed object with defaults that make a sensible small session.
// `culture-lab run --config FILE` parses a file against it; the run manifest records the parsed result.
import { z } from "zod";
import { CultureLabError } from "../../workspace-kb/errors";
import { AgentSpecSchema, RuntimeConfigSchema, SamplingSchema, type Sampling } from "../runtime/runtimeConfig";
import type { RemoteModel } from "../remote/remoteModel";
import { configProblemLines } from "./configProblems";

/** The curriculum's levels, easiest first (agents/loop/curriculum.ts); here so the editor's settings need no more of the loop. */
export const LEVELS = ["arithmetic", "lists", "free"] as const;
export type Level = (typeof LEVELS)[number];

const noveltyGate = z
  .strictObject({
    enabled: z.boolean().default(false).describe("Reject a note that is a near-duplicate of an existing one."),
    /** A note whose word-3-shingle Jaccard similarity to an existing note is ≥ this is rejected. */
    maxSimilarity: z.number().gt(0).lte(1).default(0.8).describe("A note whose word-3-shingle Jaccard similarity to an existing note is at least this is rejected."),
  })
  .prefault({});

const dreaming = z
  .strictObject({
    /** Share of proposals sampled at high temperature from random seed words, to inject entropy. */
    share: z.number().min(0).max(1).default(0).describe("Share of proposals sampled at high temperature from random seed words (\"dreaming\"), to inject entropy."),
    temperature: z.number().min(0).max(5).default(1.5).describe("Sampling temperature of dreaming proposals."),
  })
  .prefault({});

const externalText = z
  .strictObject({
    /** JSONL file of documents (strings or objects with `text`) mixed into what solvers read. */
    path: z.string().optional().describe("JSONL file of documents (strings or objects with `text`), relative to the workspace, mixed into what solvers read."),
    fraction: z.number().min(0).max(1).default(0).describe("Share of retrieved texts replaced by external documents; above 0 needs a path."),
  })
  .refine((e) => e.fraction === 0 || e.path !== undefined, { message: "a fraction above 0 needs the path of a JSONL corpus", path: ["path"] })
  .prefault({});

// A member's sampling names only what differs from the session's: the fields without their defaults (zod's
// .partial() would keep filling them in, overriding the session's settings with the schema's).
const memberSampling = z.strictObject(
  Object.fromEntries(Object.entries(SamplingSchema.omit({ seed: true }).shape).map(([key, field]) => [key, (field as z.ZodDefault<z.ZodType>).unwrap().optional()])),
) as unknown as z.ZodType<Partial<Omit<Sampling, "seed">>>;

const populationMember = z.strictObject({
  model: AgentSpecSchema.shape.model,
  persona: z.string().optional(),
  sampling: memberSampling.optional(),
});
export type PopulationMember = z.infer<typeof populationMember>;

export const loopConfigSchema = z
  .strictObject({
    seed: z.number().int().min(0).default(1).describe("Seed of the whole session: agents' sampling seeds, the held-out bank and every random choice derive from it."),
    /** The model and how it runs (threads, GPU, context); shared by every agent. */
    runtime: RuntimeConfigSchema.prefault({}),
    /** Sampling settings of every agent; each agent's seed is derived from `seed` and its index. */
    sampling: SamplingSchema.omit({ seed: true })
      .extend({
        maxTokens: z.number().int().min(1).max(1 << 16).default(1536).describe("A cap on every reply's token budget (proposals and answers 512, retried at 1024 when cut; notes 384; chapters 1024, retried at 1536; probe answers 96). Lower it for short replies."),
      })
      .prefault({}),
    knowledgeBaseFolder: z
      .string()
      .regex(/^(?!\/)(?!.*(^|\/)\.\.(\/|$))[^\0\\]+$/, "a folder inside the workspace, written relative to it (no .., not absolute)")
      .default(".culture")
      .describe("The knowledge base's folder inside the workspace (notes, runs, the event log)."),
    generations: z.number().int().min(1).max(10_000).default(12).describe("Generations a session plays."),
    population: z
      .strictObject({
        size: z.number().int().min(2).max(64).default(4).describe("Agents in the population."),
        /** How many of the population propose each generation; the rest solve. Roles rotate. */
        proposers: z.number().int().min(1).default(1).describe("How many of the population propose problems each generation (roles rotate); must be fewer than the population."),
        /**
         * A mixed population: agent i takes entry i mod the list's length — its own model (a local reference or
         * a model on an OpenAI-compatible server), persona and sampling; what an entry leaves out comes from the
         * session's settings. Absent: every agent runs runtime.model with the session's sampling.
         */
        agents: z
          .array(populationMember)
          .min(1)
          .max(64)
          .optional()
          .describe("A mixed population: agent i takes entry i mod the list's length — its own `model` (a local model reference, or `{ \"backend\": \"openai\", \"baseUrl\", \"model\", \"apiKeyEnv\" }` for an OpenAI-compatible server), `persona` and `sampling`. Empty: every agent runs runtime.model."),
      })
      .prefault({}),
    problemsPerProposer: z.number().int().min(1).max(100).default(5).describe("Problems each proposer writes per generation."),
    /** Whether solvers retrieve from the knowledge base. Off gives the control condition. */
    knowledgeBaseAccess: z.boolean().default(true).describe("Whether solvers retrieve from the knowledge base; off gives the control condition."),
    retrievalK: z.number().int().min(0).max(64).default(4).describe("Entries a solver retrieves per problem."),
    curriculum: z
      .strictObject({
        /** The shape of problem proposers are first held to (curriculum.ts): "arithmetic", "lists" or "free". */
        start: z.enum(LEVELS).default("arithmetic").describe("The level proposers start at: \"arithmetic\" (f of one whole number, held to a grammar of arithmetic), \"lists\" (f of one list, a chain of list methods) or \"free\" (any JavaScript)."),
        advanceAt: z.number().gt(0).max(1).default(0.5).describe("The population moves up a level when it solved at least this share of its play attempts at the level in the generation before."),
      })
      .prefault({}),
    /** How many recent problems (with solve rates) proposers are shown as the frontier. */
    frontierSize: z.number().int().min(0).max(50).default(6).describe("Recent problems (with solve rates) shown to proposers as the frontier."),
    sleep: z
      .strictObject({
        /** A librarian consolidates notes into book chapters every this many generations; 0 = never. */
        every: z.number().int().min(0).default(3).describe("A librarian consolidates notes into book chapters every this many generations; 0 = never."),
        /** Notes neither retrieved nor cited for this many generations are archived ("forgotten"). */
        forgetAfter: z.number().int().min(1).default(4).describe("Notes neither retrieved nor cited for this many generations are archived (forgotten, not deleted)."),
      })
      .prefault({}),
    turnover: z
      .strictObject({
        /** Every this many generations, `fraction` of the agents retire and fresh ones replace them; 0 = never. */
        every: z.number().int().min(0).default(0).describe("Every this many generations the oldest agents retire and fresh ones inherit only the knowledge base; 0 = never."),
        fraction: z.number().gt(0).max(1).default(0.5).describe("Share of the population that retires at each turnover."),
      })
      .prefault({}),
    evaluation: z
      .strictObject({
        /** Evaluate on the held-out bank (with and without the knowledge base) every this many generations. */
        every: z.number().int().min(1).default(6).describe("Evaluate on the held-out bank (with and without the knowledge base) and run the collapse probe every this many generations."),
        heldOutProblems: z.number().int().min(1).max(1000).default(60).describe("Size of the held-out bank, rounded up to a multiple of 5 (equal numbers per difficulty level)."),
        answersPerProblem: z.number().int().min(1).max(64).default(1).describe("How many agents answer each held-out problem (with and without the knowledge base); problems are dealt to the agents in turn. A larger bank gives more independent pairs per call than more answers per problem."),
        probePrompts: z.array(z.string().min(1)).min(1).default(["Tell me a joke.", "Invent a short puzzle."]).describe("Fixed open prompts of the collapse probe."),
        probeSamples: z.number().int().min(1).max(100).default(2).describe("Answers each agent gives to each probe prompt."),
      })
      .prefault({}),
    interventions: z.strictObject({ noveltyGate, dreaming, externalText }).prefault({}),
    /** Diversity metrics are computed over the most recent this-many notes (equal windows compare; chapters repeat notes by design). */
    notesWindow: z.number().int().min(4).max(5000).default(24).describe("Diversity metrics are computed over the newest this-many notes."),
  })
  .refine((c) => c.population.proposers < c.population.size, {
    message: "population.proposers must be smaller than population.size (someone has to solve)",
    path: ["population", "proposers"],
  })
  .refine((c) => c.evaluation.answersPerProblem <= c.population.size, {
    message: "evaluation.answersPerProblem can be at most population.size (each agent answers a problem once)",
    path: ["evaluation", "answersPerProblem"],
  });

export type LoopConfig = z.infer<typeof loopConfigSchema>;

/** The population entry agent `index` takes (see population.agents), or none. */
export const memberAt = (config: Pick<LoopConfig, "population">, index: number): PopulationMember | undefined =>
  config.population.agents?.[index % config.population.agents.length];

/** Every agent runs on a server: no local model needs loading. */
export const allRemote = (config: Pick<LoopConfig, "population">): boolean =>
  config.population.agents !== undefined && config.population.agents.every((m) => typeof m.model === "object");

/** The server models a population names (each distinct address, model and key variable once), in the order named. */
export function remoteModels(config: Pick<LoopConfig, "population">): RemoteModel[] {
  const seen = new Map<string, RemoteModel>();
  for (const m of config.population.agents ?? []) {
    if (typeof m.model === "object") seen.set(`${m.model.baseUrl} ${m.model.model} ${m.model.apiKeyEnv ?? ""}`, m.model);
  }
  return [...seen.values()];
}

/** Parses user-supplied configuration at the door; `source` names where it came from (a file, "settings") for the error. */
export function parseLoopConfig(raw: unknown, source: string): LoopConfig {
  const result = loopConfigSchema.safeParse(raw ?? {}, { reportInput: true });
  if (!result.success) {
    const lines = configProblemLines(loopConfigSchema, result.error.issues, source);
    throw new CultureLabError(
      "config-invalid",
      `The configuration is not valid (${lines.length} ${lines.length === 1 ? "problem" : "problems"}):\n${lines.map((l) => `  ${l}`).join("\n")}`,
      "Fix the settings named above; every setting is optional and has a default (see README \"Configuration\").",
    );
  }
  return result.data;
}
