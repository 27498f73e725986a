// Stopping `culture-lab run` at different moments, with real signals to a real CLI process and its engine: a
// Ctrl-C (sent to the process group, as a terminal does) while the engine loads and during a generation, SIGTERM,
// two Ctrl-Cs, a killed engine, a killed CLI. Every stop says "Stopped", never "internal error" or a stack trace,
// and leaves no lock naming a dead process and no engine behind.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { isAlive } from "../../workspace-kb/sessionLock";

interface RunningCli {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves when `test` holds (checked every 20 ms); fails after 60 s. */
  until(test: () => boolean, what: string): Promise<void>;
}

function startRun(workspace: string): RunningCli {
  const cli = resolve("agents/cli/bin.ts");
  // detached: its own process group, so the test can signal the group as a terminal does.
  const child = spawn(process.execPath, ["--import", "tsx", cli, "run", "--workspace", workspace, "--model", "tiny", "--threads", "1", "--generations", "200"], {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on("exit", (code, signal) => r({ code, signal })));
  const until = async (test: () => boolean, what: string) => {
    for (let waited = 0; !test(); waited += 20) {
      if (waited > 60_000) throw new Error(`timed out waiting for ${what}; stderr: ${stderr}`);
      if (child.exitCode !== null) throw new Error(`the CLI exited (${child.exitCode}) before ${what}; stderr: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { child, stdout: () => stdout, stderr: () => stderr, exited, until };
}

/** The engine: the CLI's child process running engineMain (Linux /proc; tsx's esbuild is a child too). */
function engineOf(cliPid: number): number | undefined {
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === cliPid && readFileSync(`/proc/${name}/cmdline`, "utf8").includes("engineMain")) return Number(name);
    } catch {
      // the process ended while we looked
    }
  }
  return undefined;
}

function ownerPid(workspace: string): number | undefined {
  try {
    return (JSON.parse(readFileSync(join(workspace, ".culture", "session.owner.json"), "utf8")) as { pid: number }).pid;
  } catch {
    return undefined;
  }
}

async function gone(pid: number): Promise<boolean> {
  for (let waited = 0; waited < 20_000; waited += 50) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

function assertClean(workspace: string, output: string, engine: number | undefined): void {
  assert.doesNotMatch(output, /internal error|please report|\n\s+at \S+ \(/, "no internal error, no stack trace");
  const folder = join(workspace, ".culture");
  if (existsSync(folder)) {
    assert.ok(!existsSync(join(folder, "session.owner.json")) && !existsSync(join(folder, "session.lock")), `no lock left: ${readdirSync(folder).join(", ")}`);
  }
  if (engine !== undefined) assert.ok(!isAlive(engine), `the engine ${engine} is gone`);
}

describe("stopping culture-lab run at any moment", function () {
  this.timeout(180_000);
  const workspaces: string[] = [];
  const fresh = () => {
    const w = mkdtempSync(join(tmpdir(), "cl-interrupt-"));
    workspaces.push(w);
    return w;
  };
  after(() => workspaces.forEach((w) => rmSync(w, { recursive: true, force: true })));

  it("Ctrl-C while the engine starts and loads the model: Stopped, exit 130", async () => {
    const workspace = fresh();
    const run = startRun(workspace);
    let engine: number | undefined;
    await run.until(() => (engine = engineOf(run.child.pid!)) !== undefined, "the engine to start");
    process.kill(-run.child.pid!, "SIGINT");
    const { code } = await run.exited;
    assert.equal(code, 130, run.stderr());
    assert.match(run.stderr(), /Stopped \(Ctrl-C\)/);
    assert.ok(await gone(engine!), "the engine exits");
    assertClean(workspace, run.stdout() + run.stderr(), engine);
  });

  it("Ctrl-C during a generation: Stopped, exit 130, and the finished generation's report is on disk", async () => {
    const workspace = fresh();
    const run = startRun(workspace);
    await run.until(() => run.stdout().includes("generation 0:"), "generation 0");
    const engine = ownerPid(workspace);
    process.kill(-run.child.pid!, "SIGINT");
    const { code } = await run.exited;
    assert.equal(code, 130, run.stderr());
    assert.match(run.stderr(), /Stopped \(Ctrl-C\)\. Every finished generation is saved/);
    assert.ok(await gone(engine!));
    assertClean(workspace, run.stdout() + run.stderr(), engine);
    const [runId] = readdirSync(join(workspace, ".culture", "runs"));
    const report = readFileSync(join(workspace, ".culture", "runs", runId!, "report.html"), "utf8");
    assert.match(report, /of the 200 planned generations/);
  });

  it("SIGTERM to the CLI: Stopped, exit 143", async () => {
    const workspace = fresh();
    const run = startRun(workspace);
    await run.until(() => ownerPid(workspace) !== undefined, "the session to open the knowledge base");
    const engine = ownerPid(workspace);
    run.child.kill("SIGTERM");
    const { code } = await run.exited;
    assert.equal(code, 143, run.stderr());
    assert.match(run.stderr(), /Stopped \(SIGTERM\)/);
    assert.ok(await gone(engine!));
    assertClean(workspace, run.stdout() + run.stderr(), engine);
  });

  /** Ctrl-C in generation 1, a second Ctrl-C once stderr says `secondAfter`; how the CLI exited, its output, its engine. */
  async function twoCtrlCs(workspace: string, secondAfter: string): Promise<{ exit: { code: number | null; signal: NodeJS.Signals | null }; output: string; engine: number | undefined }> {
    const run = startRun(workspace);
    await run.until(() => run.stdout().includes("generation 0:"), "generation 0");
    const engine = ownerPid(workspace);
    process.kill(-run.child.pid!, "SIGINT");
    await run.until(() => run.stderr().includes(secondAfter), `"${secondAfter}"`);
    process.kill(-run.child.pid!, "SIGINT");
    return { exit: await run.exited, output: run.stdout() + run.stderr(), engine };
  }

  it("a second Ctrl-C stops at once: Stopped, exit 130, and the killed engine's lock is cleared", async () => {
    const workspace = fresh();
    const { exit, output, engine } = await twoCtrlCs(workspace, "Stopping after");
    assert.equal(exit.code, 130, output);
    assert.match(output, /Stopped \(Ctrl-C\)/);
    assertClean(workspace, output, engine);
  });

  it("a Ctrl-C while the CLI cleans up after a stop neither kills it by the signal nor leaves the lock", async () => {
    const workspace = fresh();
    // "Stopped" is said once the engine has stopped; its disposal and the lock's check come after, then the exit.
    const { exit, output, engine } = await twoCtrlCs(workspace, "Stopped (Ctrl-C)");
    assert.deepEqual(exit, { code: 130, signal: null }, output);
    assertClean(workspace, output, engine);
  });

  it("a killed engine: Stopped with what happened, exit 1, and its lock is cleared", async () => {
    const workspace = fresh();
    const run = startRun(workspace);
    await run.until(() => run.stdout().includes("generation 0:"), "generation 0");
    const engine = ownerPid(workspace)!;
    process.kill(engine, "SIGKILL");
    const { code } = await run.exited;
    assert.equal(code, 1, run.stderr());
    assert.match(run.stderr(), /Stopped: the engine process was killed by SIGKILL/);
    assertClean(workspace, run.stdout() + run.stderr(), engine);
  });

  it("a killed CLI: its engine stops the session, releases the lock and exits", async () => {
    const workspace = fresh();
    const run = startRun(workspace);
    await run.until(() => run.stdout().includes("generation 0:"), "generation 0");
    const engine = ownerPid(workspace)!;
    run.child.kill("SIGKILL");
    await run.exited;
    assert.ok(await gone(engine), "the engine exits when its client is gone");
    assertClean(workspace, "", engine);
  });
});
