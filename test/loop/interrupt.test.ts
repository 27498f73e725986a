// Ctrl-C during `culture-lab run`: the terminal sends SIGINT to the whole process group, engine included.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

describe("Ctrl-C during culture-lab run", function () {
  this.timeout(180_000);
  let workspace: string;
  before(() => (workspace = mkdtempSync(join(tmpdir(), "cl-interrupt-"))));
  after(() => rmSync(workspace, { recursive: true, force: true }));

  it("stops after the current call with a plain message, exit 130, and leaves no lock or engine behind", async () => {
    const cli = resolve("agents/cli/bin.ts");
    // detached: its own process group, so the test can signal the group as a terminal does.
    const child = spawn(process.execPath, ["--import", "tsx", cli, "run", "--workspace", workspace, "--model", "tiny", "--threads", "1", "--generations", "200"], {
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    await new Promise<void>((r) =>
      child.stdout.on("data", (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes("generation 0:")) r();
      }),
    );
    process.kill(-child.pid!, "SIGINT");
    assert.equal(await exited, 130, stderr);
    assert.match(stderr, /Stopped \(Ctrl-C\)\. Every finished generation is saved/);
    assert.doesNotMatch(stderr, /killed by SIGINT/);
    const folder = join(workspace, ".culture");
    assert.ok(!existsSync(join(folder, "session.owner.json")) && !existsSync(join(folder, "session.lock")), readdirSync(folder).join(", "));
    // No process of the group (the engine) is left.
    assert.throws(() => process.kill(-child.pid!, 0), /ESRCH/);
  });
});
