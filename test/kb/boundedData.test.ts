import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { JsonValue } from "../../workspace-kb/boundedJson";
import { CultureLabError } from "../../workspace-kb/errors";
import { openKnowledgeBase, openKnowledgeBaseReadOnly, rebuildKnowledgeBase } from "../../workspace-kb/knowledgeBase";
import { note, tempWorkspace } from "./tempWorkspace";

const nested = (depth: number): JsonValue => {
  let value: JsonValue = 0;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
};

async function rejectsWith(promise: Promise<unknown>, code: string, message?: RegExp): Promise<CultureLabError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CultureLabError, `expected a CultureLabError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (message) assert.match(error.message, message);
    return error;
  }
  assert.fail(`expected a ${code} error`);
}

describe("deeply nested data and the knowledge base", () => {
  let ws: ReturnType<typeof tempWorkspace>;
  beforeEach(() => {
    ws = tempWorkspace();
  });
  afterEach(() => ws.remove());

  it("refuses an entry, attempt or generation whose data nests 1,500 levels deep with a clear error, and stages nothing", async () => {
    const kb = await openKnowledgeBase(ws.dir);
    const refused = (act: () => unknown) =>
      assert.throws(act, (e: unknown) => e instanceof CultureLabError && e.code === "kb-invalid-input" && /nested at most 64 levels/.test(e.message));
    refused(() => kb.addEntry(note("deep", "data", { data: nested(1500) })));
    refused(() => kb.recordAttempt({ problemId: "p-1", agentId: "agent-1", generation: 0, answer: "x", correct: false, data: nested(100_000) }));
    refused(() => kb.recordGeneration({ generation: 0, startedAt: new Date().toISOString(), data: { summary: nested(65) } }));
    kb.addEntry(note("shallow", "data", { data: nested(60) }));
    assert.equal(kb.size.staged, 1);
    await kb.commitRound();
    await kb.close();
    const again = await openKnowledgeBase(ws.dir);
    assert.equal(again.size.entries, 1);
    await again.close();
  });

  it("reports a record nested too deep in the log (written by an older version) by line, instead of crashing every open", async () => {
    const kb = await openKnowledgeBase(ws.dir);
    kb.addEntry(note("one", "first round", { data: { x: 1 } }));
    await kb.commitRound();
    kb.addEntry(note("two", "second round"));
    await kb.commitRound();
    await kb.close();
    const events = join(ws.dir, ".culture", "events.jsonl");
    rmSync(join(ws.dir, ".culture", "kb.json"));
    writeFileSync(events, readFileSync(events, "utf8").replace('"data":{"x":1}', `"data":${JSON.stringify(nested(1500))}`));
    await rejectsWith(openKnowledgeBaseReadOnly(ws.dir), "kb-events-corrupt", /line 1 .*not a valid event line/);
    await rejectsWith(openKnowledgeBase(ws.dir), "kb-events-corrupt", /line 1 /);
    await rejectsWith(rebuildKnowledgeBase(ws.dir), "kb-events-corrupt", /nothing was changed/);
  });
});
