// What each role is asked, as prompt text for a model plus the JSON Schema its answer is decoded under.
// Prompts show agent-written text (notes, problems) verbatim but clipped, so no note can crowd out the task.
import type { Json } from "../sandbox/sandbox";
import type { SolverView } from "../problems/problem";
import { answerJsonSchemas, proposalJsonSchema, type Mode } from "../problems/schemas";
import type { RetrievedNote } from "./agentPort";

const NOTE_CHARS = 600;
const citesSchema = { type: "array", items: { type: "string" } };

export interface FrontierItem {
  mode: Mode;
  statement: string;
  solved: number;
  attempts: number;
}

export function proposerPrompt(mode: Mode, frontier: FrontierItem[], seedWords?: string[]): string {
  const lines = [
    "You invent programming puzzles for other AI agents. Answer with one JSON object:",
    '{"mode": ..., "program": "...", "inputs": [[arg, ...], ...], "hint": "..."}',
    "- program: JavaScript source defining a pure function f (no I/O, no randomness, no dates). It must run quickly.",
    "- each element of inputs is the list of arguments of one call of f.",
    "- deduction: exactly one call; the solver sees f and the input and must predict the output.",
    "- abduction: exactly one call; the solver sees f and its output and must find an input that gives it.",
    "- induction: 4 to 8 calls; the solver sees half the input/output pairs and your hint and must write f; the other half check it.",
    "- hint: for induction, one sentence about what f does; otherwise empty.",
  ];
  if (frontier.length > 0) {
    lines.push("", "Recent problems and how often solvers solved them:");
    for (const item of frontier) lines.push(`- [${item.mode}, solved ${item.solved}/${item.attempts}] ${clip(item.statement, 300)}`);
    lines.push("Propose a problem a little harder than the ones solved most often, yet one a careful solver can still solve.");
  } else {
    lines.push("", "No problems have been played yet: start with a simple one.");
  }
  if (seedWords && seedWords.length > 0) lines.push(`Let these words inspire the problem: ${seedWords.join(", ")}.`);
  lines.push("", `Write a ${mode} problem.`);
  return lines.join("\n");
}

export const proposerSchema = proposalJsonSchema;

export function solverPrompt(view: SolverView, notes: RetrievedNote[]): string {
  const lines: string[] = [];
  if (notes.length > 0) {
    lines.push("Notes other agents wrote (cite the ids of the ones you use):");
    for (const note of notes) lines.push(`[${note.id}] ${clip(note.title, 120)}: ${clip(note.text, NOTE_CHARS)}`);
    lines.push("");
  }
  switch (view.mode) {
    case "deduction":
      lines.push("Predict what f returns.", "```js", view.program, "```", `Call: f(${args(view.input)})`, 'Answer: {"answer": {"output": <value>}, "cites": [ids]}');
      break;
    case "abduction":
      lines.push("Find arguments for which f returns the given output.", "```js", view.program, "```", `Output: ${JSON.stringify(view.output)}`, 'Answer: {"answer": {"input": [<arguments>]}, "cites": [ids]}');
      break;
    case "induction":
      lines.push(`Write a JavaScript function f. Hint: ${view.hint}`, "Examples:");
      for (const e of view.examples) lines.push(`f(${args(e.input)}) = ${JSON.stringify(e.output)}`);
      lines.push('Answer: {"answer": {"program": "function f(...) { ... }"}, "cites": [ids]}');
      break;
  }
  return lines.join("\n");
}

/** The mode's answer under "answer", plus "cites". Its `$defs` move to the root, where its `$ref`s point. */
export function solverSchema(mode: Mode): object {
  const { $defs, ...answer } = answerJsonSchemas[mode];
  return { type: "object", properties: { answer, cites: citesSchema }, required: ["answer", "cites"], ...($defs ? { $defs } : {}) };
}

export interface EpisodeFacts {
  mode: Mode;
  statement: string;
  correct: boolean;
  answer: string;
  why: string;
}

export function writerPrompt(episodes: EpisodeFacts[], notes: RetrievedNote[]): string {
  const lines = ["You just played puzzles. Write a short note for other AI agents who will play after you:", "what worked, what failed, and the general principle. Cite the ids of notes you built on."];
  for (const e of episodes) lines.push(`- ${e.mode}: ${e.correct ? "solved" : `failed (${e.why})`}. ${clip(e.statement, 200)}`);
  if (notes.length > 0) {
    lines.push("Notes you read:");
    for (const note of notes) lines.push(`[${note.id}] ${clip(note.title, 120)}`);
  }
  lines.push('Answer: {"title": "...", "text": "...", "cites": [ids]}');
  return lines.join("\n");
}

export function librarianPrompt(notes: RetrievedNote[]): string {
  const lines = [
    "You are the librarian. Consolidate these notes into one book chapter written for other AI agents:",
    "keep the general principles that recur, drop what is specific or wrong, and cite the notes you used.",
  ];
  for (const note of notes) lines.push(`[${note.id}] ${clip(note.title, 120)}: ${clip(note.text, NOTE_CHARS)}`);
  lines.push('Answer: {"title": "...", "text": "...", "cites": [ids]}');
  return lines.join("\n");
}

export const writingSchema = {
  type: "object",
  properties: { title: { type: "string" }, text: { type: "string" }, cites: citesSchema },
  required: ["title", "text", "cites"],
};

/** The statement of a problem as people and the notes file read it (what a solver is shown). */
export function statement(view: SolverView): string {
  switch (view.mode) {
    case "deduction":
      return `${oneLine(view.program)} — f(${args(view.input)}) = ?`;
    case "abduction":
      return `${oneLine(view.program)} — f(?) = ${JSON.stringify(view.output)}`;
    case "induction":
      return `${view.hint} — ${view.examples.map((e) => `f(${args(e.input)}) = ${JSON.stringify(e.output)}`).join("; ")}`;
  }
}

function args(input: Json[]): string {
  return input.map((a) => JSON.stringify(a)).join(", ");
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

function clip(text: string, chars: number): string {
  return text.length <= chars ? text : `${text.slice(0, chars - 1)}…`;
}
