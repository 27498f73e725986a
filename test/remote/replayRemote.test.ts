// `culture-lab replay` of a run whose agents are on an inference server (the scripted test double of one):
// the agents are asked again on the recorded server, and since a server is not bit-reproducible the replay is
// best effort — a divergence is reported as expected, in the run manifest's own words, never as a crash.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../agents/cli/main";
import { captureIO } from "../helpers/captureIO";
import { FakeServer, streamAnswer } from "./fakeServer";

describe("culture-lab replay of a run with agents on a server", function () {
  this.timeout(180_000);
  let workspace: string;
  let fake: FakeServer;
  let baseUrl: string;
  /** What the server answers: the test changes it between the run and the replay, as a real server may. */
  let answer = (n: number) => `answer ${n}`;

  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), "cl-replay-remote-"));
    fake = new FakeServer((_req, res, n) => streamAnswer(res, [answer(n)]));
    baseUrl = await fake.start();
    const remote = { backend: "openai", baseUrl, model: "fake-model", retries: 1, retryBaseMs: 1, idleTimeoutMs: 5000 };
    writeFileSync(
      join(workspace, "session.json"),
      JSON.stringify({
        generations: 1,
        // No local model exists: a population wholly on the server must not need one, in the run or the replay.
        runtime: { model: join(workspace, "no-such-model.gguf"), allowDownload: false },
        sampling: { maxTokens: 16 },
        population: { size: 2, agents: [{ model: remote }] },
        problemsPerProposer: 1,
        evaluation: { heldOutProblems: 5, probeSamples: 1, probePrompts: ["Say something."] },
        sleep: { every: 0 },
      }),
    );
  });
  after(async () => {
    await fake.stop();
    rmSync(workspace, { recursive: true, force: true });
  });

  async function run(): Promise<string> {
    const io = captureIO(workspace);
    assert.equal(await runCli(["run", "--config", "session.json"], io), 0, io.stderr());
    return /run (\S+) finished/.exec(io.stdout())![1]!;
  }

  it("asks the recorded server again and reports the divergence as expected, quoting the manifest's reproducibility", async () => {
    const runId = await run();
    const manifest = JSON.parse(readFileSync(join(workspace, ".culture", "runs", runId, "manifest.json"), "utf8")) as { reproducibility: string };
    assert.match(manifest.reproducibility, /^best effort/);
    const before = fake.chats().length;
    answer = (n) => `another answer ${n}`;
    const io = captureIO(workspace);
    assert.equal(await runCli(["replay", runId], io), 3, io.stdout() + io.stderr());
    assert.ok(fake.chats().length > before, "the replay asked the server");
    assert.match(io.stdout(), /First divergence at call #\d+ .*: the output differs/);
    assert.match(io.stdout(), /This divergence is expected: the run's manifest says its reproducibility is "best effort/);
    assert.match(io.stderr(), new RegExp(`Best-effort replay: this run's agents on a server \\(fake-model at ${baseUrl.replace(/[/.]/g, "\\$&")}\\)`));
    assert.doesNotMatch(io.stdout(), /please report/, "an expected divergence is not called a fault");
  });

  it("finds no divergence when the server gives the same answers again", async () => {
    answer = () => "the same answer";
    const runId = await run();
    const io = captureIO(workspace);
    assert.equal(await runCli(["replay", runId], io), 0, io.stdout() + io.stderr());
    assert.match(io.stdout(), /No divergence: all \d+ calls/);
  });

  it("says the server is down, in one line with what to do, when it is not running at replay time", async () => {
    const runId = await run();
    const port = fake.port;
    await fake.stop();
    try {
      const io = captureIO(workspace);
      assert.equal(await runCli(["replay", runId], io), 1, io.stdout() + io.stderr());
      assert.match(io.stderr(), /cannot talk to http:\/\/127\.0\.0\.1:\d+\/v1\/models[\s\S]*start the inference server/);
      assert.doesNotMatch(io.stderr(), /\n\s+at /, "no stack trace");
    } finally {
      await fake.start(port);
    }
  });
});
