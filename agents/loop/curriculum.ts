// The curriculum: what shape of problem proposers are held to, starting very easy. A small model cannot write
// a JavaScript program from a description (SmolLM2-135M, free text: 1 valid proposal of 15, mostly programs
// that do not parse or the wrong number of inputs), but it can fill in one held to a grammar. Level
// "arithmetic" is f(x) = arithmetic on one whole number; "lists" a chain of list methods on one list of whole
// numbers; "free" any JavaScript (the game as it is for capable models). A session moves up a level when the
// population solved at least `advanceAt` of its attempts at the level in the generation before; it never moves
// down, so a run's levels are read off its generation records.
import type { Problem } from "../problems/problem";
import type { Mode } from "../problems/schemas";
import { ARITHMETIC_PROGRAM, LIST_PROGRAM, SMALL_INTEGER } from "../problems/levelGrammars";
import { VALUE_GRAMMAR_KEY } from "../runtime/valueGrammar";

import { LEVELS, type Level } from "./loopConfig";

export { LEVELS, type Level };

/** How a level is put to a proposer, and the grammar of its program and of one call's arguments. */
export interface LevelSpec {
  /** One line: what f is at this level. */
  says: string;
  /** The program's grammar; absent at "free". */
  program?: { start: string; rules: string };
  /** The JSON schema of one call's arguments; absent at "free". */
  call?: Record<string, unknown>;
  /** Longest reasoning before the proposal, in characters; absent: none beyond the token budget. */
  reasoningChars?: number;
  /** Longest induction hint, in characters. */
  hintChars?: number;
  /** Longest note text and chapter text, in characters: a small model's prose runs on to its token budget. */
  noteChars?: number;
  chapterChars?: number;
}

const smallInteger = { type: "integer", [VALUE_GRAMMAR_KEY]: SMALL_INTEGER };

export const LEVEL_SPECS: Record<Level, LevelSpec> = {
  arithmetic: {
    says: "f takes one whole number x and returns arithmetic on it: x, whole numbers, +, -, *, % and parentheses.",
    program: ARITHMETIC_PROGRAM,
    call: { type: "array", items: smallInteger, minItems: 1, maxItems: 1 },
    reasoningChars: 200,
    hintChars: 120,
    noteChars: 500,
    chapterChars: 1500,
  },
  lists: {
    says: "f takes one list of whole numbers xs and returns it changed by one or two list methods (map, filter, slice, reverse), or its length or sum.",
    program: LIST_PROGRAM,
    call: { type: "array", items: { type: "array", items: smallInteger, minItems: 3, maxItems: 6 }, minItems: 1, maxItems: 1 },
    reasoningChars: 300,
    hintChars: 160,
    noteChars: 600,
    chapterChars: 1800,
  },
  free: { says: "f is any pure JavaScript function." },
};

/** How many calls a proposal of the mode holds at a level with a grammar (induction: half are held back). */
export const CALLS: Record<Mode, { min: number; max: number }> = {
  deduction: { min: 1, max: 1 },
  abduction: { min: 1, max: 1 },
  induction: { min: 4, max: 6 },
};

export function levelAfter(level: Level): Level {
  return LEVELS[Math.min(LEVELS.indexOf(level) + 1, LEVELS.length - 1)]!;
}

/** What the last generation's record says of the curriculum: the level it played and its attempts there. */
export interface LevelRecord {
  level: Level;
  attempts: number;
  solved: number;
}

/**
 * The level a generation plays: the last generation's, one higher when it was solved often enough — never below
 * `start` (a session told to start higher on a knowledge base that played lower starts where it is told).
 */
export function levelFor(start: Level, advanceAt: number, last: LevelRecord | undefined): Level {
  if (!last) return start;
  const earned = last.attempts > 0 && last.solved / last.attempts >= advanceAt ? levelAfter(last.level) : last.level;
  return LEVELS.indexOf(earned) >= LEVELS.indexOf(start) ? earned : start;
}

/** The curriculum figures of the newest generation record (absent in records made before the curriculum). */
export function lastLevelRecord(records: ReadonlyArray<{ generation: number; data?: unknown }>): LevelRecord | undefined {
  const newest = [...records].sort((a, b) => a.generation - b.generation).at(-1);
  const data = newest?.data as { level?: unknown; attempts?: unknown; solved?: unknown } | undefined;
  if (!data || !isLevel(data.level) || typeof data.attempts !== "number" || typeof data.solved !== "number") return undefined;
  return { level: data.level, attempts: data.attempts, solved: data.solved };
}

export function isLevel(value: unknown): value is Level {
  return typeof value === "string" && (LEVELS as readonly string[]).includes(value);
}

/**
 * The level whose worked example and program grammar fit a problem when the session is at `level`: the highest
 * grammar level up to it whose shape the problem has (one argument: a whole number for "arithmetic", a list of
 * them for "lists"), else "free"; at "free", "free" (the open game holds no answer to a grammar). Held-out
 * problems of the bank get the same treatment as play's.
 */
export function problemLevel(problem: Problem, level: Level): Level {
  if (level === "free") return level;
  const input = problem.examples[0]?.input;
  const argument = input?.length === 1 ? input[0] : undefined;
  const fits: Record<Level, boolean> = {
    arithmetic: Number.isInteger(argument),
    lists: Array.isArray(argument) && argument.length > 0 && argument.every((n) => Number.isInteger(n)),
    free: true,
  };
  return LEVELS.slice(0, LEVELS.indexOf(level) + 1).filter((l) => l !== "free" && fits[l]).at(-1) ?? "free";
}
