// Proposals and answers written the way small instruct models write them (see the corpus's header for its
// source) go through the same doors as in the game — validateProposal for proposals, checkSolverReply for
// answers — and `culture-lab check-proposal` reports the same verdict for every proposal.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkProposalCommand } from "../../agents/cli/checkProposalCommand";
import type { Problem } from "../../agents/problems/problem";
import { checkSolverReply } from "../../agents/problems/solverReply";
import { validateProposal } from "../../agents/problems/validateProposal";
import { Sandbox } from "../../agents/sandbox/sandbox";
import { captureIO } from "../helpers/captureIO";
import { ANSWERS, PROBLEMS, PROPOSALS } from "./fixtures/modelWrittenCorpus";
import { tempWorkspace } from "../kb/tempWorkspace";

describe("what small models write, through the game's doors", () => {
  let sandbox: Sandbox;
  const problems = new Map<string, Problem>();
  before(async () => {
    sandbox = await Sandbox.create();
    for (const [key, text] of Object.entries(PROBLEMS)) {
      const verdict = await validateProposal(sandbox, text);
      assert.ok(verdict.ok, `problem ${key}: ${verdict.ok ? "" : verdict.message}`);
      problems.set(key, verdict.problem);
    }
  });
  after(() => sandbox.dispose());

  it("holds at least 30 proposals and 30 answers, valid and invalid", () => {
    assert.ok(PROPOSALS.length >= 30 && ANSWERS.length >= 30, `${PROPOSALS.length} proposals, ${ANSWERS.length} answers`);
    assert.ok(PROPOSALS.filter((p) => p.expect === "valid").length >= 10 && PROPOSALS.filter((p) => p.expect !== "valid").length >= 10);
    assert.ok(ANSWERS.filter((a) => a.expect === "correct").length >= 10 && ANSWERS.filter((a) => a.expect !== "correct").length >= 10);
  });

  for (const p of PROPOSALS) {
    it(`proposal, ${p.name}: ${p.expect}`, async () => {
      const verdict = await validateProposal(sandbox, p.text);
      assert.equal(verdict.ok ? "valid" : verdict.reason, p.expect, verdict.ok ? "" : verdict.message);
      if (p.says) assert.match(verdict.ok ? "" : verdict.message, p.says);
    });
  }

  for (const a of ANSWERS) {
    it(`answer to ${a.problem}, ${a.name}: ${a.expect}`, async () => {
      const verdict = await checkSolverReply(sandbox, problems.get(a.problem)!, a.text);
      assert.equal(verdict.correct ? "correct" : verdict.reason, a.expect, verdict.correct ? "" : verdict.message);
      if (a.says) assert.match(verdict.correct ? "" : verdict.message, a.says);
    });
  }

  it("check-proposal gives every proposal of the corpus the game's verdict and reason", async function () {
    this.timeout(120_000);
    const { dir, remove } = tempWorkspace();
    try {
      for (const [i, p] of PROPOSALS.entries()) {
        const file = join(dir, `p${i}.txt`);
        writeFileSync(file, p.text);
        const io = captureIO(dir);
        const code = await checkProposalCommand.run([file], io);
        const printed = JSON.parse(io.stdout()) as { ok: boolean; reason?: string };
        assert.equal(printed.ok ? "valid" : printed.reason, p.expect, p.name);
        assert.equal(code, p.expect === "valid" ? 0 : 1, p.name);
      }
    } finally {
      remove();
    }
  });
});
