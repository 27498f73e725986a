// Agents whose replies satisfy the schemas but are hostile in content: unknown citations, markup and huge
// texts in notes, programs that never halt or allocate without bound. The session must finish, record the
// failures, and leave a knowledge base and notes file that are whole.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AgentFactory, AgentReply, AgentRequest } from "../../agents/loop/agentPort";
import { parseLoopConfig } from "../../agents/loop/loopConfig";
import { runSession } from "../../agents/loop/session";
import { openKnowledgeBaseReadOnly } from "../../workspace-kb/knowledgeBase";
import { describeTestDouble } from "../doubles/scriptedAgent";

const NEVER_HALTS = "function f(x) { while (true) {} }";
const ALLOCATES = "function f(x) { const a = []; for (;;) a.push('x'.repeat(1e5)); }";

// TEST DOUBLE: an agent that answers every role with schema-shaped but hostile content.
const hostileAgents: AgentFactory = (spec) => ({
  id: spec.id, persona: spec.persona, seed: spec.seed, sampling: { hostile: true },
  async reply(request: AgentRequest): Promise<AgentReply> {
    const value = hostileValue(request, spec.index);
    const text = JSON.stringify(value);
    return { ok: true, value, text, usage: { promptTokens: 0, completionTokens: 1, ms: 0 } };
  },
});

function hostileValue(request: AgentRequest, index: number): unknown {
  const cites = ["n-zzzz", "../../etc/passwd", "c-0", 42];
  switch (request.role) {
    case "proposer":
      return index % 2 === 0
        ? { mode: "deduction", program: NEVER_HALTS, inputs: [[1]], hint: "" }
        : { mode: "induction", program: "function f(x) { return x + 1; }", inputs: [[1], [2], [3], [4]], hint: "</details><script>alert(1)</script>" };
    case "solver": {
      const mode = (request.facts.view as { mode: string }).mode;
      const answer = mode === "induction" ? { program: ALLOCATES } : mode === "abduction" ? { input: [1] } : { output: 2 };
      return { answer, cites };
    }
    case "writer":
    case "librarian":
      return { title: "## Agent notes\n<a id=\"n-0\"></a>", text: `</details><script>alert(1)</script>\n# fake heading\n${"x".repeat(2_000_000)}`, cites };
    case "probe":
      return "\u0000\u001b[31m".repeat(1000);
  }
}

describe("a session of hostile agents", function () {
  this.timeout(240_000);
  let workspace: string;
  before(() => (workspace = mkdtempSync(join(tmpdir(), "cl-hostile-"))));
  after(() => rmSync(workspace, { recursive: true, force: true }));

  it("finishes, refuses what is invalid with a reason, and keeps the knowledge base and notes file whole", async () => {
    const config = parseLoopConfig({ generations: 3, evaluation: { every: 3, heldOutProblems: 5 }, sleep: { every: 3 } }, "the test");
    const { summary } = await runSession({
      workspaceDir: workspace, config, agents: hostileAgents,
      describeModel: describeTestDouble("hostile test double"),
    });
    assert.equal(summary.generations.length, 3);
    const reasons = summary.generations.map((g) => g.invalidReasons);
    assert.ok(reasons.some((r) => (r.timeout ?? 0) > 0), `a program that never halts is refused as a timeout: ${JSON.stringify(reasons)}`);

    const kb = await openKnowledgeBaseReadOnly(workspace);
    try {
      const ids = new Set(kb.entries({ includeArchived: true }).map((e) => e.id));
      for (const entry of kb.entries({ includeArchived: true })) {
        assert.ok(entry.cites.every((id) => ids.has(id)), `${entry.id} cites only entries that exist`);
        assert.ok(entry.text.length <= 50_000, "texts are clipped before they are stored");
      }
      for (const attempt of kb.attempts()) assert.ok(attempt.cites.every((id) => ids.has(id)));
      assert.ok(kb.attempts().some((a) => (a.data as { unknownCites?: number }).unknownCites! > 0), "unknown citations are counted");
      const whys = new Set(kb.attempts().map((a) => (a.data as { why?: string }).why));
      assert.ok(whys.has("memory") || whys.has("timeout"), `an answer program that allocates without bound is stopped: ${[...whys].join(", ")}`);
    } finally {
      await kb.close();
    }
    const notes = readFileSync(join(workspace, ".culture", "NOTES.md"), "utf8");
    assert.ok(!notes.includes("<script>"), "agent markup is escaped in the notes file");
  });
});
