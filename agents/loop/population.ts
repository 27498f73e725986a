// Who is in the population and what each does this generation. Roles rotate so every agent both proposes and
// solves; turnover retires the oldest agents and brings in fresh ones (new seed and persona) that inherit
// nothing but the knowledge base — the test of culture.
import type { AgentFactory, LoopAgent } from "./agentPort";

const PERSONAS = [
  "You are a careful mathematician who checks every step.",
  "You are a pragmatic software engineer who likes small, clear functions.",
  "You are a curious student who learns from worked examples.",
  "You are a puzzle designer who enjoys clever twists.",
  "You are a teacher who explains ideas so others can reuse them.",
  "You are a sceptic who looks for the case everyone else missed.",
  "You are a librarian who organises knowledge for others.",
  "You are a competitive programmer who thinks in loops and arrays.",
];

export interface Member {
  agent: LoopAgent;
  index: number;
  bornGeneration: number;
}

export class Population {
  private members: Member[] = [];
  private nextIndex = 0;

  constructor(
    private readonly factory: AgentFactory,
    private readonly baseSeed: number,
  ) {}

  /** Fills the population up to `size` with fresh agents born in `generation`. */
  async fill(size: number, generation: number): Promise<Member[]> {
    const born: Member[] = [];
    while (this.members.length < size) {
      const index = this.nextIndex++;
      const seed = (this.baseSeed * 1_000_003 + index * 7919) >>> 0;
      const agent = await this.factory({ id: `agent-${index + 1}`, index, seed, persona: PERSONAS[index % PERSONAS.length]!, generation });
      const member = { agent, index, bornGeneration: generation };
      this.members.push(member);
      born.push(member);
    }
    return born;
  }

  get all(): readonly Member[] {
    return this.members;
  }

  /** Proposers of a generation: a window of `count` members that moves by `count` each generation. */
  roles(generation: number, count: number): { proposers: Member[]; solvers: Member[] } {
    const n = this.members.length;
    const start = (generation * count) % n;
    const proposerSet = new Set(Array.from({ length: count }, (_, i) => (start + i) % n));
    return {
      proposers: this.members.filter((_, i) => proposerSet.has(i)),
      solvers: this.members.filter((_, i) => !proposerSet.has(i)),
    };
  }

  /** Retires the `count` oldest members and returns them; the caller refills with `fill`. */
  retireOldest(count: number): Member[] {
    const byAge = [...this.members].sort((a, b) => a.bornGeneration - b.bornGeneration || a.index - b.index);
    const retired = new Set(byAge.slice(0, count));
    this.members = this.members.filter((m) => !retired.has(m));
    return [...retired];
  }
}
