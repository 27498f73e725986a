// TEST DOUBLE. A scripted stand-in for a language-model agent, for proving that the loop's measures detect
// accumulation and collapse when they happen and stay flat when they do not — which cannot be shown with the
// project's tiny random model (its output is noise) and no real model can be downloaded here.
//
// Its skill depends on the INFORMATION in what it reads, not on wording. Programs of the game chain primitive
// steps (agents/problems/primitives.ts). A writer that solved a problem writes a note teaching how each of its
// steps behaved, as checkable facts — `FACT {"step": "x.map(x => x * 3)", "says": …, "input": [1], "output": [3]}`.
// A solver re-runs every fact it is shown in the sandbox, keeps only the true ones, and counts the steps of its
// problem whose kind (the primitive, constants aside) a true fact taught; it answers correctly with probability
//   p = min(maxSkill, baseSkill + skillPerNote × (distinct steps of the problem it was taught)).
// So retrieval that returns irrelevant entries (about other steps), false facts, or nothing gives no gain.
// Every draw comes from the identity of the decision (agent seed, pinned call seed, problem, generation, and for
// a solver which arm it is), never from a call counter: the with- and without-knowledge-base answers of a pair
// draw independently, and extra calls (evaluation, the probe) never shift what play does.
import { canonicalJson } from "../../agents/problems/canonicalJson";
import { composeProposal } from "../../agents/problems/bank";
import type { Problem, SolverView } from "../../agents/problems/problem";
import { solverView } from "../../agents/problems/problem";
import { seededRandom, type Random } from "../../workspace-kb/random";
import type { Mode } from "../../agents/problems/schemas";
import { validateProposal } from "../../agents/problems/validateProposal";
import type { Json, PureRunner } from "../../agents/sandbox/sandbox";
import type { AgentFactory, AgentReply, AgentRequest, LoopAgent, RetrievedNote } from "../../agents/loop/agentPort";
import { heldOutBank } from "../../agents/loop/evaluate";
import type { LoopConfig } from "../../agents/loop/loopConfig";
import type { SessionOptions } from "../../agents/loop/session";
import { PRIMITIVES } from "../../agents/problems/primitives";

export class AnswerKey {
  private readonly problems = new Map<string, Problem>();
  add(problem: Problem): void {
    this.problems.set(canonicalJson(solverView(problem) as never), problem);
  }
  lookup(view: SolverView): Problem | undefined {
    return this.problems.get(canonicalJson(view as never));
  }
}

/**
 * The key to the held-out bank a session with this configuration deals: scripted agents know its answers as they
 * know their own problems', and answer correctly only as often as their skill allows.
 */
export async function heldOutAnswerKey(sandbox: PureRunner, config: Pick<LoopConfig, "seed" | "evaluation">): Promise<AnswerKey> {
  const key = new AnswerKey();
  for (const item of await heldOutBank(sandbox, config)) key.add(item.problem);
  return key;
}

/** What a session of test doubles says about its model: none, no file, nothing to reproduce it from. */
export function describeTestDouble(name = "scripted test double", parameters = 0): SessionOptions["describeModel"] {
  return async () => ({
    model: { name, sha256: "", parameters, isNoise: false },
    manifest: { models: parameters ? [{ name, parameters }] : [], versions: {} },
  });
}

export interface ScriptedBehaviour {
  baseSkill: number;
  /** Skill gained per step of the problem a true fact it was shown taught; 0 makes an agent that learns nothing. */
  skillPerNote: number;
  maxSkill: number;
  /** From this generation on, notes and probe answers shrink to three fixed texts (a collapsing population). */
  collapseFrom?: number;
}

/** How one step behaved: `step` (an expression of `x`) gave `output` for `input`. */
export interface StepFact {
  step: string;
  says: string;
  input: Json;
  output: Json;
}

/** The note line that carries a fact; anything else in a note is words the double ignores. */
export function factLine(fact: StepFact): string {
  return `FACT ${JSON.stringify(fact)}`;
}

/** A program's steps (`const sN = …;` lines, as composeProposal writes them), each as an expression of `x`. */
export function stepsOf(program: string): string[] {
  return [...program.matchAll(/^\s*const s\d+ = (.*);$/gm)].map((m) => m[1]!.replace(/\bs\d+\b/g, "x"));
}

/** The kind of a step: the primitive it instantiates, its constants left out. */
export function kindOf(step: string): string {
  return step.replace(/-?\d+/g, "K");
}

const VOCABULARY = "apple river stone cloud lantern orbit spiral harvest ember quartz willow signal meadow cipher harbor falcon prism ledger velvet compass tundra beacon marble thicket saffron glacier relay quiver summit canyon".split(" ");
const COLLAPSED = ["Why did the chicken cross the road? To get to the other side.", "I told a joke about a roof once. It went over everyone's head.", "Parallel lines have so much in common. It's a shame they'll never meet."];

const SAYS = new Map(PRIMITIVES.map((p) => [kindOf(p.expr.split("$").join("x")), p.says]));

export function scriptedAgentFactory(sandbox: PureRunner, key: AnswerKey, behaviour: ScriptedBehaviour): AgentFactory {
  const checked = new FactChecker(sandbox);
  return (spec) => new ScriptedAgent(spec.id, spec.persona, spec.seed, sandbox, key, behaviour, checked);
}

/** Re-runs facts in the sandbox, once per distinct fact (the answer never changes: steps are pure). */
class FactChecker {
  private readonly verdicts = new Map<string, Promise<StepFact | undefined>>();
  constructor(private readonly sandbox: PureRunner) {}

  /** The note's facts that are true. */
  async trueFacts(note: RetrievedNote): Promise<StepFact[]> {
    const facts: StepFact[] = [];
    for (const line of note.text.split("\n")) {
      if (!line.startsWith("FACT ")) continue;
      let verdict = this.verdicts.get(line);
      if (!verdict) this.verdicts.set(line, (verdict = this.check(line.slice(5))));
      const fact = await verdict;
      if (fact) facts.push(fact);
    }
    return facts;
  }

  private async check(json: string): Promise<StepFact | undefined> {
    let claimed: StepFact;
    try {
      claimed = JSON.parse(json) as StepFact;
    } catch {
      return undefined;
    }
    if (typeof claimed?.step !== "string" || claimed.input === undefined) return undefined;
    const run = await runStep(this.sandbox, claimed.step, claimed.input);
    return run.ok && canonicalJson(run.value as never) === canonicalJson(claimed.output as never) ? claimed : undefined;
  }
}

function runStep(sandbox: PureRunner, step: string, input: Json) {
  return sandbox.runPure(`function f(x) { return ${step}; }`, { fn: "f", args: [input] });
}

class ScriptedAgent implements LoopAgent {
  readonly sampling = { scripted: true };
  /** Calls per (role, generation), for roles whose facts do not identify the call (proposer, writer, librarian). */
  private readonly counters = new Map<string, number>();
  /** Problems this agent solved in play, by generation: what its next note can teach. */
  private readonly solvedIn = new Map<number, Problem[]>();

  constructor(
    readonly id: string,
    readonly persona: string,
    readonly seed: number,
    private readonly sandbox: PureRunner,
    private readonly key: AnswerKey,
    private readonly behaviour: ScriptedBehaviour,
    private readonly checker: FactChecker,
  ) {}

  async reply(request: AgentRequest): Promise<AgentReply> {
    request.signal.throwIfAborted();
    const facts = request.facts as Record<string, unknown>;
    const generation = Number(facts.generation ?? 0);
    switch (request.role) {
      case "proposer":
        return this.ok(await this.propose(facts.mode as Mode, facts.frontier as Array<{ solved: number; attempts: number }>, this.counted("proposer", generation)));
      case "solver":
        return this.ok(await this.solve(facts.view as SolverView, request.facts.notes ?? [], generation, Boolean(facts.withKb), request.seed));
      case "writer":
        return this.ok(await this.write(facts.episodes as Array<{ mode: Mode }>, request.facts.notes ?? [], generation, this.counted("writer", generation)));
      case "librarian": {
        const notes = request.facts.notes ?? [];
        return this.ok({ title: "Collected steps", text: notes.map((n) => n.text).join("\n"), cites: notes.map((n) => n.id) });
      }
      case "probe":
        return this.text(this.joke(generation, this.drawFor("probe", String(facts.prompt), Number(facts.sample ?? 0), generation)));
    }
  }

  private drawFor(...identity: Array<string | number>): Random {
    return seededRandom(this.seed ^ hashOf(identity.join("\u0000")));
  }

  private counted(role: string, generation: number): Random {
    const key = `${role}#${generation}`;
    const n = this.counters.get(key) ?? 0;
    this.counters.set(key, n + 1);
    return this.drawFor(role, generation, n);
  }

  private async propose(mode: Mode, frontier: Array<{ solved: number; attempts: number }>, random: Random) {
    // Harder (deeper compositions) as more of the frontier gets solved: the escalation the loop should produce.
    const solved = frontier.reduce((s, f) => s + f.solved, 0);
    const attempts = frontier.reduce((s, f) => s + f.attempts, 0);
    const depth = 1 + Math.round(3 * (attempts > 0 ? solved / attempts : 0));
    const proposal = composeProposal(random, mode, depth);
    const verdict = await validateProposal(this.sandbox, proposal);
    if (verdict.ok) this.key.add(verdict.problem);
    return proposal;
  }

  private async solve(view: SolverView, notes: RetrievedNote[], generation: number, withKb: boolean, callSeed: number | undefined) {
    const problem = this.key.lookup(view);
    const kinds = new Set(problem ? stepsOf(problem.program).map(kindOf) : []);
    const taught = new Map<string, string>(); // step kind of this problem → the note that taught it
    for (const note of notes) {
      for (const fact of await this.checker.trueFacts(note)) {
        const kind = kindOf(fact.step);
        if (kinds.has(kind) && !taught.has(kind)) taught.set(kind, note.id);
      }
    }
    const p = Math.min(this.behaviour.maxSkill, this.behaviour.baseSkill + this.behaviour.skillPerNote * taught.size);
    // The arm is part of the draw's identity: the two answers of a held-out pair succeed or fail independently.
    const u = this.drawFor("solve", canonicalJson(view as never), generation, callSeed ?? -1, withKb ? "kb" : "none").next();
    const cites = [...new Set(taught.values())].filter((id) => id !== "external");
    if (!problem || u >= p) return { answer: wrongAnswer(view.mode), cites };
    if (callSeed === undefined) this.solvedIn.set(generation, [...(this.solvedIn.get(generation) ?? []), problem]);
    return { answer: rightAnswer(problem), cites };
  }

  private async write(episodes: Array<{ mode: Mode }>, notes: RetrievedNote[], generation: number, random: Random) {
    if (this.behaviour.collapseFrom !== undefined && generation >= this.behaviour.collapseFrom) {
      return { title: "Advice", text: "Always check your work. Trace f step by step.", cites: [] };
    }
    const mode = episodes[0]?.mode ?? "deduction";
    const words = Array.from({ length: 12 }, () => random.pick(VOCABULARY)).join(" ");
    // Teach what was solved this generation: how each step of each solved problem behaved on its first input.
    const taught: string[] = [];
    for (const problem of this.solvedIn.get(generation) ?? []) {
      let value: Json = problem.examples[0]!.input[0] ?? null;
      for (const step of stepsOf(problem.program)) {
        const run = await runStep(this.sandbox, step, value);
        if (!run.ok) break;
        taught.push(factLine({ step, says: SAYS.get(kindOf(step)) ?? "", input: value, output: run.value }));
        value = run.value;
      }
    }
    this.solvedIn.delete(generation);
    return {
      title: `On ${mode}, generation ${generation}`,
      text: [`Notes on ${mode} (${words}).`, ...new Set(taught)].join("\n"),
      cites: notes.filter((n) => n.id !== "external").slice(0, 2).map((n) => n.id),
    };
  }

  private joke(generation: number, random: Random): string {
    if (this.behaviour.collapseFrom !== undefined && generation >= this.behaviour.collapseFrom) return random.pick(COLLAPSED);
    const pick = () => random.pick(VOCABULARY);
    return `A ${pick()} walked into a ${pick()} and asked the ${pick()} about the ${pick()}; the ${pick()} said ${pick()} ${pick()}.`;
  }

  private ok(value: unknown): AgentReply {
    const text = JSON.stringify(value);
    return { ok: true, value, text, usage: { promptTokens: 0, completionTokens: text.length, ms: 0 } };
  }

  private text(text: string): AgentReply {
    return { ok: true, value: text, text, usage: { promptTokens: 0, completionTokens: text.length, ms: 0 } };
  }
}

function rightAnswer(problem: Problem): unknown {
  const first = problem.examples[0]!;
  switch (problem.mode) {
    case "deduction":
      return { output: first.output };
    case "abduction":
      return { input: first.input };
    case "induction":
      return { program: problem.program };
  }
}

function wrongAnswer(mode: Mode): unknown {
  switch (mode) {
    case "deduction":
      return { output: "not the answer" };
    case "abduction":
      return { input: ["not the answer"] };
    case "induction":
      return { program: "function f() { return 'not the answer'; }" };
  }
}

function hashOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
