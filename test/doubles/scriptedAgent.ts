// TEST DOUBLE. A scripted stand-in for a language-model agent, for proving that the loop's measures detect
// accumulation and collapse when they happen and stay flat when they do not — which cannot be shown with the
// project's tiny random model (its output is noise) and no real model can be downloaded here.
//
// It knows the answer to every problem through an answer key (filled by its own proposals and by the test
// with the held-out bank) and answers correctly with probability
//   p = min(maxSkill, baseSkill + skillPerNote × (number of useful notes it was shown)),
// drawing one uniform number per (agent, problem, generation) so that with- and without-knowledge-base
// attempts differ only by the notes. A note is useful for a problem if it states the principle of its mode.
import { canonicalJson } from "../../agents/problems/canonicalJson";
import { composeProposal } from "../../agents/problems/bank";
import type { Problem, SolverView } from "../../agents/problems/problem";
import { solverView } from "../../agents/problems/problem";
import { seededRandom, type Random } from "../../workspace-kb/random";
import type { Mode } from "../../agents/problems/schemas";
import { validateProposal } from "../../agents/problems/validateProposal";
import type { PureRunner } from "../../agents/sandbox/sandbox";
import type { AgentFactory, AgentReply, AgentRequest, LoopAgent, RetrievedNote } from "../../agents/loop/agentPort";

export class AnswerKey {
  private readonly problems = new Map<string, Problem>();
  add(problem: Problem): void {
    this.problems.set(canonicalJson(solverView(problem) as never), problem);
  }
  lookup(view: SolverView): Problem | undefined {
    return this.problems.get(canonicalJson(view as never));
  }
}

export interface ScriptedBehaviour {
  baseSkill: number;
  /** 0 makes an agent that learns nothing from what it reads. */
  skillPerNote: number;
  maxSkill: number;
  /** From this generation on, notes and probe answers shrink to three fixed texts (a collapsing population). */
  collapseFrom?: number;
}

const VOCABULARY = "apple river stone cloud lantern orbit spiral harvest ember quartz willow signal meadow cipher harbor falcon prism ledger velvet compass tundra beacon marble thicket saffron glacier relay quiver summit canyon".split(" ");
const COLLAPSED = ["Why did the chicken cross the road? To get to the other side.", "I told a joke about a roof once. It went over everyone's head.", "Parallel lines have so much in common. It's a shame they'll never meet."];

export function scriptedAgentFactory(sandbox: PureRunner, key: AnswerKey, behaviour: ScriptedBehaviour): AgentFactory {
  return (spec) => new ScriptedAgent(spec.id, spec.persona, spec.seed, sandbox, key, behaviour);
}

class ScriptedAgent implements LoopAgent {
  readonly sampling = { scripted: true };
  private calls = 0;

  constructor(
    readonly id: string,
    readonly persona: string,
    readonly seed: number,
    private readonly sandbox: PureRunner,
    private readonly key: AnswerKey,
    private readonly behaviour: ScriptedBehaviour,
  ) {}

  async reply(request: AgentRequest): Promise<AgentReply> {
    request.signal.throwIfAborted();
    const random = seededRandom(this.seed * 31 + this.calls++);
    const facts = request.facts as Record<string, unknown>;
    switch (request.role) {
      case "proposer":
        return this.ok(await this.propose(facts.mode as Mode, facts.frontier as Array<{ solved: number; attempts: number }>, random));
      case "solver":
        return this.ok(this.solve(facts.view as SolverView, request.facts.notes ?? [], Number(facts.generation ?? 0), Boolean(facts.withKb)));
      case "writer":
        return this.ok(this.write(facts.episodes as Array<{ mode: Mode; statement: string }>, request.facts.notes ?? [], Number(facts.generation ?? 0), random));
      case "librarian": {
        const notes = request.facts.notes ?? [];
        return this.ok({ title: "Collected principles", text: notes.map((n) => n.text).join("\n"), cites: notes.map((n) => n.id) });
      }
      case "probe":
        return this.text(this.joke(Number(facts.generation ?? 0), random));
    }
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

  private solve(view: SolverView, notes: RetrievedNote[], generation: number, _withKb: boolean) {
    const problem = this.key.lookup(view);
    const useful = notes.filter((n) => n.text.includes(`principle for ${view.mode}`)).length;
    const p = Math.min(this.behaviour.maxSkill, this.behaviour.baseSkill + this.behaviour.skillPerNote * useful);
    const u = seededRandom(this.seed ^ hashOf(`${canonicalJson(view as never)}#${generation}`)).next();
    const cites = notes.filter((n) => n.id !== "external").slice(0, useful).map((n) => n.id);
    if (!problem || u >= p) return { answer: wrongAnswer(view.mode), cites };
    return { answer: rightAnswer(problem), cites };
  }

  private write(episodes: Array<{ mode: Mode; statement: string }>, notes: RetrievedNote[], generation: number, random: Random) {
    if (this.behaviour.collapseFrom !== undefined && generation >= this.behaviour.collapseFrom) {
      return { title: "Advice", text: "Always check your work. The principle for deduction is to trace f.", cites: [] };
    }
    const mode = episodes[0]?.mode ?? "deduction";
    const words = Array.from({ length: 12 }, () => random.pick(VOCABULARY)).join(" ");
    return {
      title: `On ${mode}, generation ${generation}`,
      text: `The principle for ${mode}: work through f one step at a time (${words}).`,
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
