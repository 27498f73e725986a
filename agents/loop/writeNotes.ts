// Step 5, "Write for others": after its episodes each solver writes a short note — the pattern, the pitfall, a
// worked example — citing what it built on. It sees what the sandbox verified (its own answer, the verdict and
// why, the true output / a valid input / the held-back pairs and f), so a note can record something true, not
// only generic advice; and the notes it read in full, within a budget. Reflection in words, not only a 0/1 reward.
import type { Problem } from "../problems/problem";
import type { LoopAgent } from "./agentPort";
import { ask, citableIds, knownCitations, type LoopContext } from "./loopContext";
import { notesWithin } from "./noteBudget";
import { mostSimilarNote } from "./noveltyGate";
import { truthOf, writerPrompt, writingSchemaAt, type EpisodeFacts } from "./prompts";
import { NOTE_BUDGET_CHARS } from "./roleBudgets";
import type { SolveOutcome } from "./solve";

export interface WritingOutcome {
  written: number;
  /** Refused by the novelty gate, or failed as model output (that failure is in calls.jsonl). */
  rejected: number;
}

/** A problem played this generation: its statement as stored and the problem with its verified examples. */
export interface PlayedProblem {
  text: string;
  problem: Problem;
}

export async function writeNotes(
  ctx: LoopContext,
  writers: Array<{ agent: LoopAgent; outcomes: SolveOutcome[] }>,
  played: Map<string, PlayedProblem>,
  generation: number,
): Promise<WritingOutcome> {
  const result: WritingOutcome = { written: 0, rejected: 0 };
  const replies = await Promise.all(
    writers
      .filter((w) => w.outcomes.length > 0)
      .map(async ({ agent, outcomes }) => {
        const episodes: EpisodeFacts[] = outcomes.map((o) => {
          const { text, problem } = played.get(o.problemId)!;
          return { mode: problem.mode, statement: text, correct: o.correct, answer: o.answerShown, why: o.why, verdict: o.verdict, truth: truthOf(problem) };
        });
        const read = uniqueNotes(outcomes.flatMap((o) => o.notes));
        const shown = (level: number) => notesWithin(read, NOTE_BUDGET_CHARS.writer, level);
        const reply = await ask(ctx, agent, generation, {
          role: "writer",
          prompt: writerPrompt(episodes, shown(0)!, ctx.level),
          shorter: (level) => {
            const fewer = shown(level);
            return fewer && writerPrompt(episodes, fewer, ctx.level);
          },
          schema: writingSchemaAt(ctx.level, "note", citableIds(read)),
          facts: { episodes, notes: read, generation },
        });
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
