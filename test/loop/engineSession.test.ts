// A session driven through the engine process, as the CLI and the editor drive it.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EngineClient } from "../../agents/engine/engineClient";
import { sessionGeneration, sessionRun } from "../../agents/engine/protocol";
import { openKnowledgeBaseReadOnly } from "../../workspace-kb/knowledgeBase";
import { CultureLabError } from "../../workspace-kb/errors";

describe("a culture-loop session in the engine process", function () {
  this.timeout(300_000);
  let workspace: string;
  let engine: EngineClient;
  beforeEach(async () => {
    workspace = mkdtempSync(join(tmpdir(), "cl-engine-session-"));
    engine = await EngineClient.start();
  });
  afterEach(async () => {
    await engine.dispose();
    rmSync(workspace, { recursive: true, force: true });
  });

  const config = { generations: 20, sampling: { maxTokens: 40 }, evaluation: { every: 100, heldOutProblems: 5 }, runtime: { model: "tiny", threads: 1 } };

  it("streams each generation and answers with the run's summary", async () => {
    const seen: number[] = [];
    engine.onNotification(sessionGeneration, (g) => seen.push(g.generation));
    const result = await engine.request(sessionRun, { workspaceDir: workspace, config: { ...config, generations: 2 }, configSource: "the test", modelNamed: true });
    assert.deepEqual(seen, [0, 1]);
    assert.equal(result.summary.generations.length, 2);
    assert.match(result.reportPath, /report\.html$/);
  });

  it("reports the engine's death clearly and leaves every committed generation in the knowledge base", async () => {
    let committed = -1;
    const killedAfterTwo = new Promise<void>((resolve) => {
      engine.onNotification(sessionGeneration, (g) => {
        committed = g.generation;
        if (g.generation === 1) {
          process.kill(engine.pid!, "SIGKILL");
          resolve();
        }
      });
    });
    const run = engine.request(sessionRun, { workspaceDir: workspace, config, configSource: "the test", modelNamed: true });
    await killedAfterTwo;
    await assert.rejects(run, (e: unknown) => e instanceof CultureLabError && /engine/.test(e.code));
    const kb = await openKnowledgeBaseReadOnly(workspace);
    let lastCommitted: number;
    try {
      const generations = kb.generations().map((g) => g.generation);
      assert.ok(generations.includes(0) && generations.includes(committed), `committed ${committed}, found ${generations.join(",")}`);
      // The engine may commit another generation between its notification and the kill.
      lastCommitted = Math.max(...generations);
    } finally {
      await kb.close();
    }
    await engine.restart();
    const again = await engine.request(sessionRun, { workspaceDir: workspace, config: { ...config, generations: 1 }, configSource: "the test", modelNamed: true });
    assert.equal(again.summary.generations[0]!.generation, lastCommitted + 1, "a new session continues after the last committed generation");
  });

  it("refuses an invalid configuration with a clear error and stays usable", async () => {
    await assert.rejects(
      engine.request(sessionRun, { workspaceDir: workspace, config: { generations: 0 }, configSource: "bad.json", modelNamed: true }),
      (e: unknown) => e instanceof CultureLabError && /bad\.json/.test(e.message),
    );
    assert.ok(engine.isRunning);
  });
});
