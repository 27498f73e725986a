// What a run reports per generation: the figures the HTML report and the panel draw. Built by the loop from the
// knowledge base's records; plain data so it can cross the engine's JSON-RPC boundary unchanged.

export interface EvaluationSummary {
  withKb: number;
  withoutKb: number;
  gain: number;
  /** Bootstrap 95% interval of the gain. */
  gainLow: number;
  gainHigh: number;
  /**
   * Smallest true gain this evaluation would detect (interval above 0) four times in five: (1.96 + 0.84) × the
   * bootstrap standard error, taken as the interval's half-width / 1.96. Absent in runs recorded before it existed.
   */
  detectableGain?: number;
  /** Paired (problem, agent) runs behind the gain. */
  pairs?: number;
  ratchet: number;
  /** How far the ratchet rises over the evaluations so far with no true change (ratchetDrift.ts); absent in older runs. */
  ratchetNullDrift?: number;
}

export interface GenerationSummary {
  generation: number;
  /** The curriculum level proposers were held to (agents/loop/curriculum.ts); absent in runs recorded before it. */
  level?: "arithmetic" | "lists" | "free";
  proposals: number;
  validProposals: number;
  /** Reasons invalid proposals were refused, with counts (e.g. "syntax": 3). */
  invalidReasons: Record<string, number>;
  attempts: number;
  solved: number;
  notesWritten: number;
  notesRejected: number;
  chaptersWritten: number;
  archived: number;
  /**
   * Self-play (agents/loop/playGeneration.ts): the mean learnability reward (1 − p̂, 0 when every or no solver solved)
   * over the generation's valid problems; their mean Rasch difficulty in logits as rated after the generation's
   * play; the highest such difficulty among those solved at least once. Absent when there was nothing to rate
   * (no valid problem, nothing solved) and in runs recorded before they existed.
   */
  learnability?: number;
  proposedDifficulty?: number;
  hardestSolved?: number;
  reuse: number;
  citationDepth: number;
  /** Diversity metrics of METRICS.md over the notes window, keyed exactly as there. */
  metrics: Record<string, number>;
  /** Metrics over the collapse probe's answers, when the probe ran this generation. */
  probeMetrics?: Record<string, number>;
  evaluation?: EvaluationSummary;
  /** The collapse alarm over this generation's notes or the latest probe (agents/loop/collapseWatch.ts). */
  collapseAlarm: boolean;
  /** A steady loss of diversity short of collapse; absent in runs recorded before it existed. */
  converging?: boolean;
  /** Why the alarm or "converging" is up (or why a source was not measured), one line per series. */
  collapseReasons?: string[];
  completionTokens: number;
  /**
   * The generation's prompt tokens counted in full (decoding every prompt alone), and the ones decoded: the rest
   * were kept from an agent's previous call or copied from another agent's decode of a shared prefix. Absent in runs
   * recorded before they existed.
   */
  promptTokens?: number;
  promptTokensEvaluated?: number;
  promptTokensCopied?: number;
  wallMs: number;
  /** Wall time during which some model call was in flight (the union over concurrent agents). */
  modelBusyMs: number;
  /** The loop's own work by phase: verify (sandbox), retrieval, metrics, commit. */
  phaseMs: Record<string, number>;
}

export interface RunSummary {
  runId: string;
  startedAt: string;
  model: { name: string; sha256: string; parameters: number; isNoise: boolean };
  /** Plain-language statements the reader must see first (e.g. "the tiny model's output is noise"). */
  caveats: string[];
  generations: GenerationSummary[];
  /** What the agents wrote and did (samples, refusals, per-agent table), when built from the run's records. */
  view?: ResearchView;
}

// The research view (built by researchView.ts from the run's records; drawn by researchSections.ts).

export interface TextSample {
  id: string;
  author: string;
  generation: number;
  title: string;
  text: string;
}

export interface ProblemSample extends TextSample {
  attempts: number;
  solved: number;
}

export interface Refusal {
  reason: string;
  /** The reason as the report says it ("truncated at maxTokens"). */
  words: string;
  count: number;
  example: { proposerId: string; generation: number; message: string };
}

export interface AgentRow {
  agentId: string;
  /** The model that answered it (with its server for a remote one). */
  model: string;
  /** Calls per role ("proposer": 4, "solver": 30…). */
  roles: Record<string, number>;
  /** Learnability reward earned as a proposer, summed over the run. */
  reward: number;
  /** Play attempts (held-out evaluation left out) and how many were correct. */
  attempts: number;
  solved: number;
  notesWritten: number;
  chaptersWritten: number;
}

export interface ResearchView {
  refusals: Refusal[];
  agents: AgentRow[];
  notes: TextSample[];
  chapters: TextSample[];
  problems: ProblemSample[];
  probeAnswers: Array<{ agentId: string; generation: number; prompt: string; answer: string }>;
  /** Files beside the report, by name (links in the report are relative). */
  files: { calls: string; seriesCsv: string; seriesJson: string };
}
