// Step 5, "Write for others": after its episodes each solver writes a short note — what worked, what failed,
// the general principle — citing what it built on. Reflection in words, not only a 0/1 reward.
import type { LoopAgent } from "./agentPort";
import { ask, knownCitations, type LoopContext } from "./loopContext";
import { mostSimilarNote } from "./noveltyGate";
import { writerPrompt, writingSchema, type EpisodeFacts } from "./prompts";
import type { SolveOutcome } from "./solve";

export interface WritingOutcome {
  written: number;
  /** Refused by the novelty gate, or failed as model output (that failure is in calls.jsonl). */
  rejected: number;
}

export async function writeNotes(
  ctx: LoopContext,
  writers: Array<{ agent: LoopAgent; outcomes: SolveOutcome[] }>,
  statements: Map<string, { mode: EpisodeFacts["mode"]; text: string }>,
  generation: number,
): Promise<WritingOutcome> {
  const result: WritingOutcome = { written: 0, rejected: 0 };
  const replies = await Promise.all(
    writers
      .filter((w) => w.outcomes.length > 0)
      .map(async ({ agent, outcomes }) => {
        const episodes: EpisodeFacts[] = outcomes.map((o) => ({
          mode: statements.get(o.problemId)!.mode,
          statement: statements.get(o.problemId)!.text,
          correct: o.correct,
          answer: o.answer,
          why: o.why,
        }));
        const read = uniqueNotes(outcomes.flatMap((o) => o.notes));
        const reply = await ask(ctx, agent, generation, { role: "writer", prompt: writerPrompt(episodes, read), schema: writingSchema, facts: { episodes, notes: read, generation } });
        return { agent, reply };
      }),
  );
  // Entries are added in writer order after all replies are in, so the knowledge base is the same however the
  // calls interleaved.
  for (const { agent, reply } of replies) {
    if (!reply.ok) {
      result.rejected++;
      continue;
    }
    const value = reply.value as { title: string; text: string; cites: unknown };
    const gate = ctx.config.interventions.noveltyGate;
    if (gate.enabled) {
      const similar = mostSimilarNote(ctx.kb, value.text);
      if (similar && similar.similarity >= gate.maxSimilarity) {
        result.rejected++;
        continue;
      }
    }
    const { known } = knownCitations(ctx, value.cites, generation);
    ctx.kb.addEntry({ kind: "note", author: agent.id, generation, title: value.title.slice(0, 300), text: value.text.slice(0, 20_000), cites: known });
    result.written++;
  }
  return result;
}

function uniqueNotes<T extends { id: string }>(notes: T[]): T[] {
  const seen = new Map<string, T>();
  for (const note of notes) if (note.id !== "external") seen.set(note.id, note);
  return [...seen.values()];
}
