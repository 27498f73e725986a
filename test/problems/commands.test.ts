// The game's two CLI commands, driven through the real command table: `bank` and `check-proposal`.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../agents/cli/main";
import { captureIO } from "../helpers/captureIO";

describe("the culture-lab bank and check-proposal commands", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "culture-lab-problems-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("prints the same bank twice for the same seed, one problem per line", async () => {
    const first = captureIO();
    assert.equal(await runCli(["bank", "--seed", "9", "--per-level", "2", "--levels", "1,3"], first), 0);
    const second = captureIO();
    assert.equal(await runCli(["bank", "--seed", "9", "--per-level", "2", "--levels", "1,3"], second), 0);
    assert.equal(first.stdout(), second.stdout());
    const lines = first.stdout().split("\n").map((line) => JSON.parse(line) as { id: string; difficulty: number });
    assert.deepEqual(lines.map((l) => l.difficulty), [1, 1, 3, 3]);
  });

  it("refuses a malformed level list with exit code 1 and says what is wrong", async () => {
    const io = captureIO();
    assert.equal(await runCli(["bank", "--levels", "1,x"], io), 1);
    assert.match(io.stderr(), /--levels must be a whole number from 1 to 12, not 'x'/);
  });

  it("says a valid proposal file is valid, with the computed problem", async () => {
    const file = join(dir, "good.json");
    await writeFile(file, JSON.stringify({ mode: "deduction", program: "const f = s => s.length", inputs: [["four"]], hint: "" }));
    const io = captureIO(dir);
    assert.equal(await runCli(["check-proposal", "good.json"], io), 0);
    assert.deepEqual(JSON.parse(io.stdout()).problem.examples, [{ input: ["four"], output: 4 }]);
  });

  it("says why an invalid proposal fails, with exit code 1", async () => {
    const file = join(dir, "loop.json");
    await writeFile(file, JSON.stringify({ mode: "deduction", program: "function f(){ while (true) {} }", inputs: [[]], hint: "" }));
    const io = captureIO(dir);
    assert.equal(await runCli(["check-proposal", file], io), 1);
    assert.equal(JSON.parse(io.stdout()).reason, "timeout");
  });

  it("reports a missing file as an error a person can act on", async () => {
    const io = captureIO(dir);
    assert.equal(await runCli(["check-proposal", "nope.json"], io), 1);
    assert.match(io.stderr(), /Cannot read the proposal .*nope\.json: it does not exist/);
  });
});
