// The sessions a person can start from the palette without writing a file. Each is a partial configuration laid
// over their settings; the full object is shown before the session starts.
import type { ConfigObject } from "./sessionConfig";

export interface SessionPreset {
  id: string;
  label: string;
  /** What it is for, in one line. */
  detail: string;
  config: ConfigObject;
}

export const SESSION_PRESETS: readonly SessionPreset[] = [
  {
    id: "quick-look",
    label: "Quick look",
    detail: "3 agents, 3 generations, short answers, evaluation every generation on a small bank: a first look in minutes.",
    config: {
      generations: 3,
      population: { size: 3, proposers: 1 },
      problemsPerProposer: 1,
      sampling: { maxTokens: 96 },
      sleep: { every: 2, forgetAfter: 4 },
      evaluation: { every: 1, heldOutProblems: 5, probePrompts: ["Tell me a joke."], probeSamples: 1 },
    },
  },
  {
    id: "standard",
    label: "Standard",
    detail: "The documented defaults: 4 agents, 6 generations, sleep every 3, evaluation every 2.",
    config: {},
  },
  {
    id: "control",
    label: "Control: no knowledge base",
    detail: "Solvers never read the knowledge base: the baseline to compare a treatment run with.",
    config: { knowledgeBaseAccess: false },
  },
  {
    id: "dreaming",
    label: "Dreaming",
    detail: "A quarter of proposals are sampled hot from random seed words, to inject entropy against collapse.",
    config: { interventions: { dreaming: { share: 0.25, temperature: 1.5 } } },
  },
  {
    id: "novelty-gate",
    label: "Novelty gate",
    detail: "Notes too similar to an existing note are rejected, to keep the knowledge base diverse.",
    config: { interventions: { noveltyGate: { enabled: true, maxSimilarity: 0.8 } } },
  },
];
