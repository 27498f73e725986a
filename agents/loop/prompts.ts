// What each role is asked, as prompt text for a model plus the JSON Schema its answer is decoded under.
// Shaped after the Absolute Zero Reasoner's prompts (think step by step before answering; reference programs
// shown to the proposer) and LLM-Culture's (short, direct instructions about what to write and nothing else).
// Answers and proposals decode a "reasoning" string before the JSON that is checked, so a small model can
// work the problem out in words before it commits to an answer it cannot take back. Agent-written text is
// shown verbatim within a character budget (noteBudget.ts), so no note can crowd out the task.
import type { Json } from "../sandbox/sandbox";
import type { Example, Problem, SolverView } from "../problems/problem";
import { answerJsonSchemas, proposerJsonSchema, reasoningJsonSchema, type Mode } from "../problems/schemas";
import { cappedString, TEXT_CHAR_RULE, VALUE_GRAMMAR_KEY } from "../runtime/valueGrammar";
import type { RetrievedNote } from "./agentPort";
import { CALLS, LEVEL_SPECS, type Level } from "./curriculum";
import type { ExampleProposal } from "./fewShot";
import { answerExample, proposalExample } from "./levelExamples";

const citesSchema = { type: "array", items: { type: "string" } };

/**
 * The citations a reply may make: the ids of the entries it was shown, and nothing else, so a model cannot cite
 * an id it made up (or run on inside the list: a small model wrote URLs there until its budget ran out). Without
 * ids given (a caller that shows none, or does not say), any strings; the loop keeps only existing ids anyway.
 */
export function citesFor(ids?: readonly string[]): object {
  if (ids === undefined) return citesSchema;
  const unique = [...new Set(ids)];
  return unique.length === 0 ? { type: "array", maxItems: 0 } : { type: "array", items: { enum: unique }, maxItems: unique.length };
}

export interface FrontierItem {
  mode: Mode;
  statement: string;
  solved: number;
  attempts: number;
}

const MODE_RULES: Record<Mode, string> = {
  deduction: "deduction: exactly one call; the solver sees f and the input and must predict the output.",
  abduction: "abduction: exactly one call; the solver sees f and its output and must find an input that gives it. f must depend on its input.",
  induction: "induction: 4 to 8 calls whose outputs differ; the solver sees half the input/output pairs and your hint and must write f; the other half check it.",
};

/** What a proposer reads besides the frontier: notes about what was hard, and what its own problems earned. */
export interface ProposerContext {
  notes?: RetrievedNote[];
  /** Its learnability reward in its latest generations as a proposer, oldest first. */
  rewards?: Array<{ generation: number; reward: number }>;
}

/** How a call is written at a grammar level: one whole number, or one list of them. */
const CALL_SHAPES: Record<Exclude<Level, "free">, string> = {
  arithmetic: "- inputs: a list of calls; each call is the list of f's one argument, a whole number: f(4) is the call [4], so inputs is [[4]].",
  lists: "- inputs: a list of calls; each call holds f's one argument, a list: f([3, 1, 2]) is the call [[3, 1, 2]], so inputs is [[[3, 1, 2]]].",
};

/**
 * `level` (curriculum.ts) says what shape f has and what the example reply shows (levelExamples.ts); at "free"
 * the prompt is the open game's.
 */
export function proposerPrompt(mode: Mode, frontier: FrontierItem[], seedWords?: string[], context: ProposerContext = {}, level: Level = "free", example: ExampleProposal = proposalExample(level, mode)): string {
  const lines =
    level === "free"
      ? [
          `You invent a ${mode} puzzle about a small JavaScript function f, for other AI agents to solve.`,
          "- program: JavaScript source defining a pure function f (no I/O, no randomness, no dates, no console). It must run quickly.",
          "- inputs: a list of calls; each call is the list of f's arguments. A list argument is wrapped once more: f(xs) called with [3, 1, 2] is the call [[3, 1, 2]], so inputs is [[[3, 1, 2]]].",
          `- ${MODE_RULES[mode]}`,
          "- hint: for induction, one sentence about what f does; otherwise empty.",
          "First think in \"reasoning\": what f does, how many arguments it takes, and how each call is written.",
        ]
      : [
          `You invent a ${mode} puzzle about a small JavaScript function f, for other AI agents to solve.`,
          `- program: ${LEVEL_SPECS[level].says}`,
          CALL_SHAPES[level],
          `- ${MODE_RULES[mode]}`,
          "- hint: for induction, a few words about what f does; otherwise empty.",
          "First say in \"reasoning\", in one sentence, what f does.",
        ];
  lines.push("", "Example reply:", JSON.stringify(example));
  if (frontier.length > 0) {
    lines.push("", "Recent problems and how often solvers solved them:");
    for (const item of frontier) lines.push(`- [${item.mode}, solved ${item.solved}/${item.attempts}] ${clip(item.statement, 300)}`);
    lines.push("Propose a problem a little harder than the ones solved most often, yet one a careful solver can still solve.");
  } else {
    lines.push("", "No problems have been played yet: start with a simple one, different from the example.");
  }
  if (context.notes && context.notes.length > 0) {
    lines.push("", "Notes the agents wrote about problems like the hard ones:");
    for (const note of context.notes) lines.push(`[${note.id}] ${clip(note.title, 120)}: ${note.text}`);
  }
  if (context.rewards && context.rewards.length > 0) {
    lines.push(
      "",
      `Your reward for your latest problems (1 - solve rate when solvers solved them sometimes; 0 when everyone or no one did): ${context.rewards.map((r) => `generation ${r.generation}: ${r.reward.toFixed(2)}`).join("; ")}.`,
      "A problem that some solvers solve and others do not earns the most.",
    );
  }
  if (seedWords && seedWords.length > 0) lines.push(`Let these words inspire the problem: ${seedWords.join(", ")}.`);
  lines.push("", `Reply with one JSON object: {"reasoning": "...", "mode": "${mode}", "program": "...", "inputs": [...], "hint": "..."}`);
  return lines.join("\n");
}

/**
 * At "free", the proposal's own schema. At a grammar level the program is held to the level's grammar, each
 * call to one argument of the level's type, the calls to the mode's count, and reasoning and hint to a length.
 */
export function proposerSchema(mode: Mode, level: Level = "free"): object {
  const spec = LEVEL_SPECS[level];
  if (!spec.program || !spec.call) return proposerJsonSchema(mode);
  const calls = CALLS[mode];
  return {
    type: "object",
    properties: {
      reasoning: cappedString(spec.reasoningChars ?? 200),
      mode: { const: mode },
      program: { type: "string", [VALUE_GRAMMAR_KEY]: spec.program },
      inputs: { type: "array", items: spec.call, minItems: calls.min, maxItems: calls.max },
      hint: mode === "induction" ? cappedString(spec.hintChars ?? 120) : { const: "" },
    },
    required: ["reasoning", "mode", "program", "inputs", "hint"],
  };
}

const ANSWER_SHAPES: Record<Mode, string> = {
  deduction: '{"reasoning": "...", "answer": {"output": <the value f returns>}, "cites": [ids of notes you used]}',
  abduction: '{"reasoning": "...", "answer": {"input": [<f\'s arguments, one per parameter>]}, "cites": [ids of notes you used]}',
  induction: '{"reasoning": "...", "answer": {"program": "function f(...) { ... }"}, "cites": [ids of notes you used]}',
};

/**
 * The notes are already cut to the prompt's budget (noteBudget.ts). What every solver of a mode reads (the
 * instruction and the worked example) comes first, then the problem's notes and the puzzle: the runtime decodes a
 * prefix shared by several agents once (agents/runtime/prefixShare.ts).
 */
/** `level`: the puzzle's level as problemLevel (curriculum.ts) gives it, which picks the worked example. */
export function solverPrompt(view: SolverView, notes: RetrievedNote[], level: Level = "free"): string {
  const example = answerExample(level, view.mode);
  const lines = ["Solve the puzzle. Think step by step in \"reasoning\" first (work through the code or the examples), then give the answer.", "", "Example puzzle:", ...puzzle(example.view), "Example reply:", JSON.stringify(example.reply), ""];
  if (notes.length > 0) {
    lines.push("Notes other agents wrote (cite the ids of the ones you use):");
    for (const note of notes) lines.push(`[${note.id}] ${clip(note.title, 120)}: ${note.text}`);
    lines.push("");
  }
  lines.push("Your puzzle:", ...puzzle(view), "", `Reply with one JSON object: ${ANSWER_SHAPES[view.mode]}`);
  return lines.join("\n");
}

function puzzle(view: SolverView): string[] {
  switch (view.mode) {
    case "deduction":
      return ["Predict what f returns.", "```js", view.program, "```", `Call: f(${args(view.input)})`];
    case "abduction":
      return ["Find arguments for which f returns the given output.", "```js", view.program, "```", `Output: ${JSON.stringify(view.output)}`];
    case "induction":
      return [`Write a JavaScript function f. Hint: ${view.hint}`, "Examples:", ...view.examples.map((e) => `f(${args(e.input)}) = ${JSON.stringify(e.output)}`)];
  }
}

/**
 * "reasoning", then the mode's answer under "answer", then "cites". Its `$defs` move to the root, where its
 * `$ref`s point. With a problem, the answer is held to the JSON type of the truth (a whole number, a list of
 * them, a string…: what the code shows anyway); at a grammar level (the puzzle's, as problemLevel gives it) an
 * induction answer is held to the level's program grammar; reasoning to `reasoningChars` (the session level's).
 */
export function solverSchema(mode: Mode, problem?: Problem, level: Level = "free", reasoningChars = LEVEL_SPECS[level].reasoningChars, citable?: readonly string[]): object {
  const spec = LEVEL_SPECS[level];
  const typed = problem && typedAnswer(problem, spec);
  const { $defs, ...answer } = typed ? { $defs: undefined, ...typed } : answerJsonSchemas[mode];
  return {
    type: "object",
    properties: { reasoning: reasoningChars ? cappedString(reasoningChars) : reasoningJsonSchema, answer, cites: citesFor(citable) },
    required: ["reasoning", "answer", "cites"],
    ...($defs ? { $defs } : {}),
  };
}

function typedAnswer(problem: Problem, spec: (typeof LEVEL_SPECS)[Level]): Record<string, unknown> | undefined {
  const first = problem.examples[0]!;
  switch (problem.mode) {
    case "deduction": {
      const output = typeOf(first.output);
      return output && { type: "object", properties: { output }, required: ["output"] };
    }
    case "abduction": {
      const items = first.input.map(typeOf);
      if (items.some((t) => t === undefined)) return undefined;
      return { type: "object", properties: { input: { type: "array", prefixItems: items, minItems: items.length, maxItems: items.length } }, required: ["input"] };
    }
    case "induction":
      return spec.program ? { type: "object", properties: { program: { type: "string", [VALUE_GRAMMAR_KEY]: spec.program } }, required: ["program"] } : undefined;
  }
}

/** Lists and strings in a typed answer are held to a length, so a small model cannot run on inside one. */
const ANSWER_ITEMS = 12;
const ANSWER_CHARS = 64;

/**
 * The JSON type of a value, as a schema, for the plain shapes the game's programs return; undefined: any JSON.
 * A list or string longer than the caps raises its cap to its length (a model must be able to write the truth).
 */
function typeOf(value: Json): Record<string, unknown> | undefined {
  if (typeof value === "number") return { type: Number.isInteger(value) ? "integer" : "number" };
  if (typeof value === "boolean") return { type: "boolean" };
  if (typeof value === "string") return cappedString(Math.max(ANSWER_CHARS, value.length));
  if (!Array.isArray(value)) return undefined;
  const maxItems = Math.max(ANSWER_ITEMS, value.length);
  if (value.every((v) => Number.isInteger(v))) return { type: "array", items: { type: "integer" }, maxItems };
  if (value.every((v) => typeof v === "string")) return { type: "array", items: cappedString(ANSWER_CHARS), maxItems };
  return undefined;
}

export interface EpisodeFacts {
  mode: Mode;
  statement: string;
  correct: boolean;
  /** The writer's own answer as it gave it (JSON), or its unreadable reply, clipped. */
  answer: string;
  why: string;
  /** What the sandbox said about the answer (empty when it was right). */
  verdict: string;
  /** What the sandbox knows to be true: the output, an input that works, or the held-back pairs and f. */
  truth: string;
}

/** The verified truth about a problem, in one or two lines, for the writer who played it. */
export function truthOf(problem: { mode: Mode; program: string; examples: Example[]; heldOut: number }): string {
  const first = problem.examples[0]!;
  switch (problem.mode) {
    case "deduction":
      return `f(${args(first.input)}) returns ${JSON.stringify(first.output)}`;
    case "abduction":
      return `one input that works: f(${args(first.input)}) = ${JSON.stringify(first.output)}`;
    case "induction": {
      const held = problem.examples.slice(problem.examples.length - problem.heldOut);
      return `the held-back pairs: ${held.map((e) => `f(${args(e.input)}) = ${JSON.stringify(e.output)}`).join("; ")}; the proposer's f: ${oneLine(problem.program)}`;
    }
  }
}

/**
 * The form of a note at a grammar level, not a note to copy: shown a worked note, SmolLM2-135M's writers repeated its
 * worked example in 8 of 15 notes (5 generations) and its title in 14, and the collapse alarm was raised.
 */
const NOTE_FORM = {
  title: "<deduction, abduction or induction>: <the rule in a few words>",
  text: "<the rule, the pitfall, and one computation from the puzzles above with its true result>",
  cites: [],
};

/** The notes are already cut to the prompt's budget, shown in full. At a grammar level the writer is shown a note's form. */
export function writerPrompt(episodes: EpisodeFacts[], notes: RetrievedNote[], level: Level = "free"): string {
  const lines = ["You just played these puzzles. The sandbox checked every answer by running the code: what it says below is true."];
  episodes.forEach((e, i) => {
    lines.push(
      `Puzzle ${i + 1} (${e.mode}): ${clip(e.statement, 400)}`,
      `  Your answer: ${clip(e.answer, 300)}`,
      `  Verdict: ${e.correct ? "solved" : `failed (${e.why}${e.verdict ? `: ${clip(e.verdict, 200)}` : ""})`}`,
      `  The truth: ${clip(e.truth, 400)}`,
    );
  });
  if (notes.length > 0) {
    lines.push("", "Notes you read before answering:");
    for (const note of notes) lines.push(`[${note.id}] ${clip(note.title, 120)}: ${note.text}`);
  }
  lines.push(
    "",
    "Write one note for agents who will later play other puzzles of these kinds (not these same ones). In its text give:",
    "- the pattern: a rule about such programs or tasks that holds beyond these puzzles;",
    "- the pitfall: the mistake to avoid (yours, if you failed);",
    "- a worked example: one short computation from the puzzles above with its true result.",
    "Cite the ids of the notes you built on.",
  );
  if (level !== "free") lines.push(`The form of the note: ${JSON.stringify(NOTE_FORM)}`);
  lines.push('Reply with one JSON object: {"title": "...", "text": "...", "cites": [ids]}');
  return lines.join("\n");
}

/** The notes are already cut to the prompt's budget, shown in full. */
export function librarianPrompt(notes: RetrievedNote[]): string {
  const lines = [
    "You are the librarian. Consolidate these notes into one book chapter written for other AI agents who solve puzzles",
    "about small JavaScript functions: keep the principles and worked examples that recur or were verified, drop what is",
    "specific or wrong, and cite the ids of the notes you used.",
  ];
  for (const note of notes) lines.push(`[${note.id}] ${clip(note.title, 120)}: ${note.text}`);
  lines.push('Reply with one JSON object: {"title": "...", "text": "...", "cites": [ids]}');
  return lines.join("\n");
}

/** A probe prompt, after the notes the knowledge base holds for it (when the session reads the knowledge base). */
export function probePrompt(prompt: string, notes: RetrievedNote[]): string {
  if (notes.length === 0) return prompt;
  return ["Notes from your community:", ...notes.map((n) => `- ${clip(n.title, 120)}: ${n.text}`), "", prompt].join("\n");
}

export const writingSchema = {
  type: "object",
  properties: { title: { type: "string" }, text: { type: "string" }, cites: citesSchema },
  required: ["title", "text", "cites"],
};

/**
 * A note's or a chapter's schema at a level, citing only `citable`. A grammar level holds title and text to a
 * length, and a note's title opens with the kind of puzzle it is about ("deduction: …"): search matches words,
 * and a small model's note otherwise shares none with the puzzles it could help (SmolLM2-135M, 5 generations:
 * 6 of 64 solver calls were shown a note, and no held-out answer read one).
 */
export function writingSchemaAt(level: Level, kind: "note" | "chapter", citable?: readonly string[]): object {
  const chars = kind === "note" ? LEVEL_SPECS[level].noteChars : LEVEL_SPECS[level].chapterChars;
  const title = kind === "note" ? NOTE_TITLE : cappedString(100);
  const text = chars === undefined ? { title: { type: "string" }, text: { type: "string" } } : { title, text: cappedString(chars) };
  return { ...writingSchema, properties: { ...text, cites: citesFor(citable) } };
}

const NOTE_TITLE = {
  type: "string",
  [VALUE_GRAMMAR_KEY]: { start: "x-note-title", rules: ['x-note-title ::= "\\"" ("deduction" | "abduction" | "induction") ": " x-text-char{1,90} "\\""', TEXT_CHAR_RULE].join("\n") },
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
