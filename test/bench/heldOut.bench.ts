// Held-out bank designs (issue 12, item 7): how wide the gain's 95% interval is for a number of problems and
// answers per problem, with the scripted agents of the tests (test/doubles/scriptedAgent.ts: agents that learn
// from notes), 4 seeds × 6 generations × 2 evaluations each. Prints one table: interval width and calls per arm.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Sandbox } from "../../agents/sandbox/sandbox";
import { parseLoopConfig } from "../../agents/loop/loopConfig";
import { runSession } from "../../agents/loop/session";
import { describeTestDouble, heldOutAnswerKey, scriptedAgentFactory } from "../doubles/scriptedAgent";

const sandbox = await Sandbox.create();
const designs = [
  { name: "50 problems x 4 agents", evaluation: { heldOutProblems: 50, answersPerProblem: 4 } },
  { name: "60 problems x 1 agent", evaluation: { heldOutProblems: 60, answersPerProblem: 1 } },
  { name: "120 problems x 1 agent", evaluation: { heldOutProblems: 120, answersPerProblem: 1 } },
  { name: "60 problems x 4 agents", evaluation: { heldOutProblems: 60, answersPerProblem: 4 } },
];
console.log(`\nHeld-out gain interval by bank design — scripted agents, 4 seeds, 2 evaluations each`);
console.log(`${"design".padEnd(24)}${"pairs".padStart(8)}${"width".padStart(8)}   range`);
for (const design of designs) {
  const widths: number[] = [];
  let calls = 0;
  for (const seed of [1, 2, 3, 4]) {
    const workspace = mkdtempSync(join(tmpdir(), "cl-width-"));
    const config = parseLoopConfig({ seed, generations: 6, problemsPerProposer: 2, evaluation: { every: 3, ...design.evaluation } }, "scratch");
    const key = await heldOutAnswerKey(sandbox, config);
    const r = await runSession({ workspaceDir: workspace, config, agents: scriptedAgentFactory(sandbox, key, { baseSkill: 0.15, skillPerNote: 0.3, maxSkill: 0.95 }), describeModel: describeTestDouble() });
    for (const g of r.summary.generations) if (g.evaluation) { widths.push(g.evaluation.gainHigh - g.evaluation.gainLow); calls += g.evaluation.pairs ?? 0; }
    rmSync(workspace, { recursive: true, force: true });
  }
  widths.sort((a, b) => a - b);
  const mean = widths.reduce((s, w) => s + w, 0) / widths.length;
  console.log(`${design.name.padEnd(24)}${(calls / widths.length).toFixed(0).padStart(8)}${mean.toFixed(3).padStart(8)}   ${widths[0]!.toFixed(3)}–${widths.at(-1)!.toFixed(3)}`);
}
sandbox.dispose();
