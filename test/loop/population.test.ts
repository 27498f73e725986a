import assert from "node:assert/strict";
import type { AgentFactory } from "../../agents/loop/agentPort";
import { Population } from "../../agents/loop/population";

// A factory whose agents never answer: these tests only look at who is in the population.
const silentAgents: AgentFactory = (spec) => ({
  id: spec.id, persona: spec.persona, seed: spec.seed, sampling: {},
  reply: () => Promise.reject(new Error("silent test agent")),
});

describe("the population", () => {
  it("rotates the proposer role so every agent proposes within size/proposers generations", async () => {
    const population = new Population(silentAgents, 1);
    await population.fill(4, 0);
    const proposers = new Set<string>();
    for (let g = 0; g < 4; g++) {
      const { proposers: p, solvers } = population.roles(g, 1);
      assert.equal(p.length, 1);
      assert.equal(solvers.length, 3);
      proposers.add(p[0]!.agent.id);
    }
    assert.equal(proposers.size, 4);
  });

  it("replaces retired agents with fresh ones that have new ids and seeds", async () => {
    const population = new Population(silentAgents, 1);
    const first = await population.fill(4, 0);
    const retired = population.retireOldest(2);
    const fresh = await population.fill(4, 3);
    assert.deepEqual(retired.map((m) => m.agent.id), ["agent-1", "agent-2"]);
    assert.deepEqual(fresh.map((m) => m.agent.id), ["agent-5", "agent-6"]);
    const seeds = new Set([...first, ...fresh].map((m) => m.agent.seed));
    assert.equal(seeds.size, 6);
  });

  it("gives the same agents the same seeds in a rerun with the same base seed", async () => {
    const a = (await new Population(silentAgents, 7).fill(3, 0)).map((m) => m.agent.seed);
    const b = (await new Population(silentAgents, 7).fill(3, 0)).map((m) => m.agent.seed);
    assert.deepEqual(a, b);
  });
});
