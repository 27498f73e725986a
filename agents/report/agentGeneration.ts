// One agent in one generation of a run, as the panel's per-agent view and the engine's run detail carry it:
// plain data built from the run's call records, the knowledge base's attempts and the run manifest's per-agent
// models. Declared once here and imported by both protocols (engine and panel), like GenerationSummary.

export interface AgentGeneration {
  agentId: string;
  /**
   * The backend and model that answered it ("qwen2.5 at http://…/v1 (server)", "tiny (local)"), from the run
   * manifest's per-agent entries (a mixed population's differ); absent for runs recorded before they existed.
   */
  model?: string;
  generation: number;
  /** Roles it played this generation, in call order, each once ("proposer", "solver", "writer", …). */
  roles: string[];
  calls: number;
  /** Tokens of its rendered prompts, counted in full (also what was reused from its previous call). */
  promptTokens: number;
  completionTokens: number;
  /** Wall time of its calls. */
  callMs: number;
  /** Play attempts (held-out evaluation excluded) and how many were correct. */
  attempts: number;
  solved: number;
  /** Estimated FLOPs of its calls, 2 × the model's parameters × (prompt + completion tokens); absent when the parameter count is unknown. */
  flops?: number;
}
