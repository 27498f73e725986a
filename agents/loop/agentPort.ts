// The one interface the culture loop talks to. A model-backed agent reads `prompt` and answers under `schema`;
// the scripted test agent (a test double, in test/) reads the same facts from `facts` instead of parsing prose.

export type Role = "proposer" | "solver" | "writer" | "librarian" | "probe";

export interface RetrievedNote {
  id: string;
  title: string;
  text: string;
}

export interface AgentRequest {
  role: Role;
  prompt: string;
  /** JSON Schema the answer must satisfy (grammar-constrained for models); null asks for free text. */
  schema: object | null;
  /** The structured facts the prompt shows, for scripted agents; models ignore it. */
  facts: Record<string, unknown> & { notes?: RetrievedNote[] };
  /** Overrides the agent's own temperature for this call (e.g. "dreaming" proposals). */
  temperature?: number;
  maxTokens?: number;
  /** Pins the sampler seed of this call (the two arms of a held-out comparison share one); default: the agent's own stream. */
  seed?: number;
  signal: AbortSignal;
}

export interface AgentUsage {
  promptTokens: number;
  /** Prompt tokens the model decoded (the rest it kept or copied); absent for agents that decode nothing (test doubles). */
  promptTokensEvaluated?: number;
  /** Prompt tokens copied from another agent's decode of a shared prefix (agents/runtime/prefixShare.ts). */
  promptTokensCopied?: number;
  completionTokens: number;
  ms: number;
}

export type AgentReply =
  | { ok: true; value: unknown; text: string; usage: AgentUsage }
  /** `reason` is a short stable word ("truncated", "invalid-json", "schema-mismatch", "aborted", …). */
  | { ok: false; reason: string; message: string; text: string; usage: AgentUsage };

export interface LoopAgent {
  readonly id: string;
  readonly persona: string;
  readonly seed: number;
  /** Sampling settings, recorded with every call. */
  readonly sampling: Record<string, unknown>;
  /** The model answering this agent when it is not the session's (a mixed population). */
  readonly modelName?: string;
  reply(request: AgentRequest): Promise<AgentReply>;
  /** Frees what the agent holds (a model agent: its sequence of a shared context) once it retires or its session ends. */
  dispose?(): Promise<void>;
}

/** Creates the agents of a population; `index` is stable across a run so seeds and personas are reproducible. */
export type AgentFactory = (spec: { id: string; index: number; seed: number; persona: string; generation: number }) => LoopAgent | Promise<LoopAgent>;
