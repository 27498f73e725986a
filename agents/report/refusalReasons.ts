// Why proposals were refused, in words a person reads: "0 of 12 valid — 12 truncated at maxTokens". The reasons
// are the codes the loop records (agents/runtime/jsonOutput.ts, agents/problems/modelOutput.ts,
// agents/sandbox/outcome.ts, agents/problems/validateProposal.ts, agents/loop/propose.ts); an unknown code is shown as it is.

const WORDS: Record<string, string> = {
  truncated: "truncated at maxTokens",
  "invalid-json": "not JSON",
  "not-json": "not JSON",
  "schema-mismatch": "JSON of the wrong shape",
  schema: "JSON of the wrong shape",
  "too-large": "too large",
  syntax: "a program that does not parse",
  "no-function": "no function f",
  "bad-call": "a bad function name",
  threw: "a program that threw",
  timeout: "a program that ran out of steps or time",
  memory: "a program that ran out of memory",
  stack: "recursion too deep",
  "output-too-large": "an output too large",
  "input-too-large": "an input too large",
  "engine-crash": "a sandbox crash",
  "input-count": "the wrong number of inputs",
  "non-deterministic": "a non-deterministic program",
  aborted: "stopped",
  "copied-example": "a copy of a worked example",
};

export function reasonInWords(reason: string): string {
  return WORDS[reason] ?? reason;
}

/** "12 truncated at maxTokens, 3 not JSON", most frequent first; "" when there is none. */
export function describeReasons(counts: Record<string, number>): string {
  return Object.entries(counts)
    .filter(([, n]) => n > 0)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([reason, n]) => `${n} ${reasonInWords(reason)}`)
    .join(", ");
}

/** Sums per-generation reason counts over a run. */
export function totalReasons(perGeneration: ReadonlyArray<Record<string, number>>): Record<string, number> {
  const total: Record<string, number> = {};
  for (const counts of perGeneration) for (const [reason, n] of Object.entries(counts)) total[reason] = (total[reason] ?? 0) + n;
  return total;
}
