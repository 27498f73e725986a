// How many tokens each role may write. Answers and proposals get room to reason first (a "reasoning" string
// decoded before the JSON that is checked); a chapter consolidates a dozen notes and needs more. A reply cut
// at its budget before its JSON closed is retried once with `retryTokens` where the role has one. The
// runtime's contextSize (4096 by default) holds the longest prompt the loop builds plus the retry budget.
import type { Role } from "./agentPort";

export interface RoleBudget {
  maxTokens: number;
  /** The budget of the one retry after a truncated reply; absent: no retry. */
  retryTokens?: number;
}

export const ROLE_BUDGETS: Record<Role, RoleBudget> = {
  proposer: { maxTokens: 512, retryTokens: 1024 },
  solver: { maxTokens: 512, retryTokens: 1024 },
  writer: { maxTokens: 384, retryTokens: 768 },
  librarian: { maxTokens: 1024, retryTokens: 1536 },
  // Probe answers are measured for diversity, not checked; a cut answer is still an answer.
  probe: { maxTokens: 96 },
};

/**
 * Characters of agent-written text (notes, chapters) a prompt shows, per role: about a quarter of a token
 * each for English prose, so these stay well inside the context with the role's budget on top.
 */
export const NOTE_BUDGET_CHARS = { solver: 2400, writer: 4000, librarian: 8000, proposer: 1200, probe: 1200 } as const;
