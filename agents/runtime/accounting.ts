// Compute accounting for the panel's compute chart: every call's tokens, wall time and estimated FLOPs
// (2 × parameters × tokens processed, the forward-pass rule of thumb), summed per agent and per session.

export interface CallUsage {
  agentId: string;
  /** Tokens in the rendered prompt (persona + prompt, chat template included). */
  promptTokens: number;
  /**
   * Prompt tokens actually decoded; the rest were kept from the agent's previous call or copied from another
   * agent's sequence (`promptTokensCopied`).
   */
  promptTokensEvaluated: number;
  /** Prompt tokens copied from another agent's sequence of the same context (a shared prefix decoded once). */
  promptTokensCopied: number;
  completionTokens: number;
  wallMs: number;
  /** From the call's start to its first generated token (queueing and prompt decoding). */
  firstTokenMs: number;
  /** Completion tokens per second of wall time. */
  tokensPerSecond: number;
  flops: number;
}

export interface UsageTotals {
  calls: number;
  promptTokens: number;
  promptTokensEvaluated: number;
  promptTokensCopied: number;
  completionTokens: number;
  wallMs: number;
  flops: number;
}

export interface AccountingSnapshot {
  session: UsageTotals;
  agents: Record<string, UsageTotals>;
}

export function callUsage(
  agentId: string,
  parameters: number,
  tokens: { promptTokens: number; promptTokensEvaluated: number; promptTokensCopied: number; completionTokens: number },
  wallMs: number,
  firstTokenMs: number,
): CallUsage {
  const { promptTokens, promptTokensEvaluated, promptTokensCopied, completionTokens } = tokens;
  return {
    agentId,
    promptTokens,
    promptTokensEvaluated,
    promptTokensCopied,
    completionTokens,
    wallMs,
    firstTokenMs,
    tokensPerSecond: wallMs > 0 ? (completionTokens * 1000) / wallMs : 0,
    flops: 2 * parameters * (promptTokensEvaluated + completionTokens),
  };
}

const emptyTotals = (): UsageTotals => ({ calls: 0, promptTokens: 0, promptTokensEvaluated: 0, promptTokensCopied: 0, completionTokens: 0, wallMs: 0, flops: 0 });

function add(totals: UsageTotals, usage: CallUsage): void {
  totals.calls += 1;
  totals.promptTokens += usage.promptTokens;
  totals.promptTokensEvaluated += usage.promptTokensEvaluated;
  totals.promptTokensCopied += usage.promptTokensCopied;
  totals.completionTokens += usage.completionTokens;
  totals.wallMs += usage.wallMs;
  totals.flops += usage.flops;
}

export class Accounting {
  private readonly session = emptyTotals();
  private readonly perAgent = new Map<string, UsageTotals>();

  record(usage: CallUsage): void {
    add(this.session, usage);
    let totals = this.perAgent.get(usage.agentId);
    if (!totals) this.perAgent.set(usage.agentId, (totals = emptyTotals()));
    add(totals, usage);
  }

  snapshot(): AccountingSnapshot {
    return { session: { ...this.session }, agents: Object.fromEntries([...this.perAgent].map(([id, t]) => [id, { ...t }])) };
  }
}
