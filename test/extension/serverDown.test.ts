// A server that is down when a session starts, as the editor shows it: the engine refuses the session at once with
// a CultureLabError saying which server and what to do, the engine is idle again (no hung session), and the log
// line and the panel's session line carry the same words (extension/errorText.ts, extension/endedSession.ts).
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EngineClient } from "../../agents/engine/engineClient";
import { sessionRun, sessionStatus } from "../../agents/engine/protocol";
import { endedSession } from "../../extension/endedSession";
import { describeError } from "../../extension/errorText";
import { sessionLine } from "../../webview/verdict";
import { CultureLabError } from "../../workspace-kb/errors";

/** A loopback port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("a session whose server is down at the start, in the editor", function () {
  this.timeout(60_000);

  it("fails before it begins with the server and what to do, in the log and in the panel's session line", async () => {
    const workspace = await mkdtemp(join(tmpdir(), "cl-server-down-"));
    const baseUrl = `http://127.0.0.1:${await closedPort()}/v1`;
    const engine = await EngineClient.start();
    try {
      const config = {
        generations: 1,
        runtime: { model: join(workspace, "no-such-model.gguf"), allowDownload: false },
        population: { size: 2, agents: [{ model: { backend: "openai", baseUrl, model: "m", retries: 1, retryBaseMs: 1 } }] },
      };
      const error = await engine.request(sessionRun, { workspaceDir: workspace, config, configSource: "the test", modelNamed: true }).then(
        () => assert.fail("the session ran without its server"),
        (e: unknown) => e,
      );
      assert.ok(error instanceof CultureLabError, String(error));
      const logged = describeError(error);
      assert.match(logged, new RegExp(`cannot talk to ${baseUrl.replace(/[/.]/g, "\\$&")}/models .*gave up after 2 attempts.*start the inference server, or fix baseUrl`));
      const panel = endedSession({ error });
      assert.equal(panel.phase, "failed");
      assert.equal(sessionLine(panel, undefined, 0), `Failed · ${logged}`);
      assert.equal((await engine.request(sessionStatus, {})).state, "idle", "nothing is left running");
    } finally {
      await engine.dispose();
      await rm(workspace, { recursive: true, force: true });
    }
  });

  it("says a finished run's id, and a stop is not a failure", () => {
    assert.deepEqual(endedSession({ result: { runId: "r1", reportPath: "/r", summary: {} as never } }), { phase: "finished", runId: "r1", message: "Run r1 finished." });
    assert.equal(endedSession({ error: new CultureLabError("cancelled", "Stopped after generation 2.") }).phase, "finished");
    assert.equal(endedSession({ error: new Error("boom") }).phase, "failed");
  });
});
