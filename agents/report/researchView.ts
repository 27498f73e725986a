// The report as a research view: what the agents actually wrote and did, next to the figures — refusal reasons
// with an example each, samples of notes, chapters, problems (with verdicts) and probe answers, and a table per
// agent. Built from the run's records only (the knowledge base's entries, attempts and generation records, and
// calls.jsonl), so a stopped run's report can be rebuilt the same way.
import type { KnowledgeBase } from "../../workspace-kb/knowledgeBase";
import type { CallRecord } from "../loop/runRecorder";
import { reasonInWords } from "./refusalReasons";
import type { AgentRow, Refusal, ResearchView, TextSample } from "./runSummary";


/** Samples per kind shown; the newest ones, since they show where the run ended up. */
const SAMPLES = 4;
const CLIP = 600;

interface GenerationData {
  invalidReasons?: Record<string, number>;
  rewards?: Record<string, number>;
  refused?: Array<{ proposerId: string; reason: string; message: string }>;
}

export function researchView(kb: KnowledgeBase, runId: string, calls: readonly CallRecord[]): ResearchView {
  const records = kb.generations().filter((g) => (g.data as { runId?: unknown } | undefined)?.runId === runId);
  const played = new Set(records.map((g) => g.generation));

  const refusals = new Map<string, Refusal>();
  const rewards = new Map<string, number>();
  for (const record of records) {
    const data = record.data as GenerationData;
    for (const [reason, count] of Object.entries(data.invalidReasons ?? {})) {
      const example = data.refused?.find((r) => r.reason === reason);
      const known = refusals.get(reason);
      if (known) known.count += count;
      else refusals.set(reason, { reason, words: reasonInWords(reason), count, example: { proposerId: example?.proposerId ?? "?", generation: record.generation, message: example?.message ?? "" } });
    }
    for (const [agentId, reward] of Object.entries(data.rewards ?? {})) rewards.set(agentId, (rewards.get(agentId) ?? 0) + reward);
  }

  const entries = kb.entries({ includeArchived: true }).filter((e) => played.has(e.generation));
  const attempts = kb.attempts().filter((a) => played.has(a.generation) && (a.data as { heldOut?: unknown } | undefined)?.heldOut !== true);
  const runCalls = calls.filter((c) => played.has(c.generation));

  const rows = new Map<string, AgentRow>();
  // The model each agent ran on, as the knowledge base recorded it (a mixed population's agents differ).
  const modelOf = new Map(kb.agents().map((a) => [a.id, a.model]));
  const row = (agentId: string) => {
    let r = rows.get(agentId);
    if (!r) rows.set(agentId, (r = { agentId, model: modelOf.get(agentId) ?? "", roles: {}, reward: 0, attempts: 0, solved: 0, notesWritten: 0, chaptersWritten: 0 }));
    return r;
  };
  // Roles in the order of a generation, whatever order the calls finished in.
  const order = ["proposer", "solver", "writer", "librarian", "probe"];
  for (const c of [...runCalls].sort((a, b) => order.indexOf(a.role) - order.indexOf(b.role))) row(c.agentId).roles[c.role] = (row(c.agentId).roles[c.role] ?? 0) + 1;
  for (const [agentId, reward] of rewards) row(agentId).reward = reward;
  for (const a of attempts) {
    row(a.agentId).attempts++;
    if (a.correct) row(a.agentId).solved++;
  }
  for (const e of entries) {
    if (e.kind === "note") row(e.author).notesWritten++;
    if (e.kind === "chapter") row(e.author).chaptersWritten++;
  }

  const sample = (kind: "note" | "chapter" | "problem"): TextSample[] =>
    entries
      .filter((e) => e.kind === kind)
      .slice(-SAMPLES)
      .map((e) => ({ id: e.id, author: e.author, generation: e.generation, title: clip(e.title, 200), text: clip(e.text, CLIP) }));
  const problems = sample("problem").map((p) => {
    const tried = attempts.filter((a) => a.problemId === p.id);
    return { ...p, attempts: tried.length, solved: tried.filter((a) => a.correct).length };
  });
  const probeCalls = runCalls.filter((c) => c.role === "probe");
  const lastProbe = Math.max(-1, ...probeCalls.map((c) => c.generation));
  // One answer per agent and prompt (its first sample), so every prompt of the probe is seen.
  const seen = new Set<string>();
  const probeAnswers = probeCalls
    .filter((c) => c.generation === lastProbe)
    .sort((a, b) => a.agentId.localeCompare(b.agentId, "en", { numeric: true }) || a.agentSeq - b.agentSeq)
    .filter((c) => !seen.has(`${c.agentId}\u0000${c.prompt}`) && seen.add(`${c.agentId}\u0000${c.prompt}`))
    .slice(0, SAMPLES * 4)
    .map((c) => ({ agentId: c.agentId, generation: c.generation, prompt: clip(c.prompt, 200), answer: clip(c.output, CLIP) }));

  return {
    refusals: [...refusals.values()].sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
    agents: [...rows.values()].sort((a, b) => a.agentId.localeCompare(b.agentId, "en", { numeric: true })),
    notes: sample("note"),
    chapters: sample("chapter"),
    problems,
    probeAnswers,
    files: { calls: "calls.jsonl", seriesCsv: "series.csv", seriesJson: "series.json" },
  };
}

function clip(text: string, chars: number): string {
  return text.length > chars ? `${text.slice(0, chars)}…` : text;
}
