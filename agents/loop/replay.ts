// Replay: re-run a recorded session from the knowledge base as it was when the run began, then compare the
// two records call by call. With the same model file, seed and CPU threads none is expected to differ; the
// first call that does is what a person needs to see.
import { createReadStream } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { kbPaths, rebuildKnowledgeBase } from "../../workspace-kb/knowledgeBase";
import { CultureLabError } from "../../workspace-kb/errors";
import type { CallRecord } from "./runRecorder";

export interface Divergence {
  seq: number;
  generation: number;
  agentId: string;
  role: string;
  /** What differs first: the prompt the agent was given, or what it answered; or one record ends early. */
  what: "prompt" | "output" | "agent" | "replay-ended" | "replay-continued";
  recorded?: string;
  replayed?: string;
}

/**
 * Calls are matched by agent and the agent's own call index, not by position in the file: agents run
 * concurrently, so the file's order depends on timing, while each agent's sequence of calls does not.
 * The divergence reported is the earliest in the recorded run.
 */
export function firstDivergence(recorded: readonly CallRecord[], replayed: readonly CallRecord[]): Divergence | undefined {
  const key = (c: CallRecord) => `${c.agentId}#${c.agentSeq}`;
  const replayedByKey = new Map(replayed.map((c) => [key(c), c]));
  for (const a of [...recorded].sort((x, y) => x.seq - y.seq)) {
    const b = replayedByKey.get(key(a));
    const at = { seq: a.seq, generation: a.generation, agentId: a.agentId, role: a.role };
    if (!b) return { ...at, what: "replay-ended" };
    replayedByKey.delete(key(a));
    if (a.role !== b.role) return { ...at, what: "agent", recorded: a.role, replayed: b.role };
    if (a.prompt !== b.prompt) return { ...at, what: "prompt", recorded: a.prompt, replayed: b.prompt };
    if (a.output !== b.output) return { ...at, what: "output", recorded: a.output, replayed: b.output };
  }
  const extra = [...replayedByKey.values()].sort((x, y) => x.seq - y.seq)[0];
  return extra ? { seq: extra.seq, generation: extra.generation, agentId: extra.agentId, role: extra.role, what: "replay-continued" } : undefined;
}

/**
 * Makes `replayDir` a workspace whose knowledge base is the original's after round `round`: the events up to
 * that round's commit line, rebuilt. Round 0 is an empty knowledge base.
 */
export async function prepareReplayWorkspace(workspaceDir: string, round: number, replayDir: string, folder?: string): Promise<void> {
  const source = kbPaths(workspaceDir, folder);
  const target = kbPaths(replayDir, folder);
  await mkdir(target.folder, { recursive: true });
  if (round === 0) return;
  const kept: string[] = [];
  let reached = false;
  const lines = createInterface({ input: createReadStream(source.events, "utf8"), crlfDelay: Infinity });
  for await (const line of lines) {
    kept.push(line);
    if (line.includes('"type":"commit"') && (JSON.parse(line) as { round?: number }).round === round) {
      reached = true;
      break;
    }
  }
  lines.close();
  if (!reached) {
    throw new CultureLabError("replay-no-round", `${source.events} has no commit of round ${round}, where the run began.`, "The event log was truncated or replaced since the run; it cannot be replayed.");
  }
  await writeFile(target.events, `${kept.join("\n")}\n`);
  const { kb } = await rebuildKnowledgeBase(replayDir, { folder });
  await kb.close();
}

/** What to do about a divergence, given how the run was decoded (see runtime.decoding). */
export function divergenceAdvice(decoding: string | undefined): string {
  if (decoding === "batched") {
    return "This run decoded its agents in batches (runtime.decoding \"batched\"): llama.cpp rounds a token decoded together with other agents' tokens slightly differently from one decoded alone, and which agents share a decode depends on timing, so a batched run replays only until the first near tie. For a run that replays call for call, run with runtime.decoding \"exact\" (the default).";
  }
  return "Check that the model file, node-llama-cpp's version and the machine are the recorded ones (manifest.json: models, versions); replay again with --keep and compare the two calls.jsonl files from the call named above. If they match, please report the run.";
}

/** What a divergence means in a run whose agents are on inference servers: expected, and how to get a run that replays. */
export function serverReplayAdvice(reproducibility: string): string {
  return (
    `This divergence is expected: the run's manifest says its reproducibility is ${reproducibility ? `"${reproducibility}"` : "best effort (agents on a server)"}. ` +
    "An inference server batches requests from every client and need not honour seeds, so the same prompt can get another answer; nothing is wrong with the run. " +
    "The comparison above shows how far the two agree. For a run that replays call for call, run the population on local models with runtime.decoding \"exact\" (the default)."
  );
}

export function describeDivergence(d: Divergence | undefined, calls: number, advice = divergenceAdvice(undefined)): string {
  if (!d) return `No divergence: all ${calls} calls gave the same prompts and outputs.`;
  const where = `call #${d.seq} (generation ${d.generation}, ${d.agentId}, ${d.role})`;
  switch (d.what) {
    case "replay-ended":
      return `The replay made fewer calls: it ended before ${where}.\n${advice}`;
    case "replay-continued":
      return `All ${calls} recorded calls matched; the replay went on past the end of the record (the original run was stopped early).`;
    case "agent":
      return `First divergence at ${where}: the agent was asked to play a different role (recorded ${d.recorded}, replayed ${d.replayed}).\n${advice}`;
    default: {
      const recorded = d.recorded ?? "";
      const replayed = d.replayed ?? "";
      const at = firstDifferentChar(recorded, replayed);
      return [
        `First divergence at ${where}: the ${d.what} differs from character ${at} on (the first ${at} agree).`,
        `  recorded: ${around(recorded, at)}`,
        `  replayed: ${around(replayed, at)}`,
        advice,
      ].join("\n");
    }
  }
}

function firstDifferentChar(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** The text from a little before `at`, JSON-quoted so control characters show, clipped. */
function around(text: string, at: number): string {
  const from = Math.max(0, at - 40);
  const piece = JSON.stringify(text.slice(from, at + 160));
  return `${from > 0 ? "…" : ""}${piece}${at + 160 < text.length ? "…" : ""}`;
}
