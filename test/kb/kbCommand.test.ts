import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../../agents/cli/main";
import { openKnowledgeBase } from "../../workspace-kb/knowledgeBase";
import { captureIO } from "../helpers/captureIO";
import { note, tempWorkspace } from "./tempWorkspace";

describe("culture-lab kb", () => {
  let ws: ReturnType<typeof tempWorkspace>;
  let ids: string[];
  beforeEach(async () => {
    ws = tempWorkspace();
    const kb = await openKnowledgeBase(ws.dir, { segmentSize: 2 });
    ids = [
      kb.addEntry(note("Merge sort", "Split, sort the halves, merge them.")).id,
      kb.addEntry({ ...note("Sum of primes", "Sum the primes below 50."), kind: "problem", generation: 1 }).id,
      kb.addEntry(note("Sieve", "A sieve of Eratosthenes lists the primes.", { generation: 1 })).id,
    ];
    await kb.commitRound();
    await kb.close();
  });
  afterEach(() => ws.remove());

  it("status says what the knowledge base holds and that nobody has it open", async () => {
    const io = captureIO(ws.dir);
    assert.equal(await runCli(["kb", "status"], io), 0);
    assert.match(io.stdout(), /round 1: 3 entries \(0 in the open head, the rest in 1 sealed segment\)/);
    assert.match(io.stdout(), /not open for writing/);
    const json = captureIO(ws.dir);
    assert.equal(await runCli(["kb", "status", "--json", "--workspace", ws.dir], json), 0);
    assert.equal(JSON.parse(json.stdout()).entries, 3);
  });

  it("status names the process that has the knowledge base open for writing", async () => {
    const kb = await openKnowledgeBase(ws.dir);
    try {
      const io = captureIO(ws.dir);
      assert.equal(await runCli(["kb", "status"], io), 0);
      assert.match(io.stdout(), new RegExp(`open for writing by process ${process.pid} on \\S+ since \\d{4}-`));
      const rebuild = captureIO(ws.dir);
      assert.equal(await runCli(["kb", "rebuild"], rebuild), 1, "rebuild needs the lock");
      assert.match(rebuild.stderr(), /already open for writing by process/);
    } finally {
      await kb.close();
    }
  });

  it("status says the lock is stale when the process that took it was killed, and the next session takes it over", async function () {
    this.timeout(30_000);
    // A real holder killed with SIGKILL: it cannot release anything, so its owner file stays behind.
    const holder = spawn(process.execPath, ["--import", "tsx", "-e", `
      const { openKnowledgeBase } = await import(${JSON.stringify(join(process.cwd(), "workspace-kb", "knowledgeBase.ts"))});
      await openKnowledgeBase(${JSON.stringify(ws.dir)});
      console.log("open");
      setInterval(() => {}, 1000);`], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve, reject) => {
      holder.stdout!.on("data", (d: Buffer) => d.toString().includes("open") && resolve());
      holder.once("exit", (code) => reject(new Error(`the holder exited early (${code})`)));
    });
    holder.kill("SIGKILL");
    await new Promise((resolve) => holder.once("exit", resolve));
    const io = captureIO(ws.dir);
    assert.equal(await runCli(["kb", "status"], io), 0);
    assert.match(io.stdout(), new RegExp(`the lock names process ${holder.pid} .*no longer running — the lock is stale`));
    const json = captureIO(ws.dir);
    await runCli(["kb", "status", "--json"], json);
    assert.equal(JSON.parse(json.stdout()).openBy.stale, true);
    const kb = await openKnowledgeBase(ws.dir);
    await kb.close();
  });

  it("search prints the best entries first and honours --kind and --generation", async () => {
    const io = captureIO(ws.dir);
    assert.equal(await runCli(["kb", "search", "primes"], io), 0);
    const lines = io.stdout().split("\n");
    assert.equal(lines.length, 2);
    const problems = captureIO(ws.dir);
    await runCli(["kb", "search", "primes", "--kind", "problem", "--generation", "0-1"], problems);
    assert.match(problems.stdout(), new RegExp(`^\\d\\.\\d{3}  ${ids[1]}  \\[problem\\] Sum of primes`));
  });

  it("show prints one entry in full, and an unknown id is a clear error", async () => {
    const io = captureIO(ws.dir);
    assert.equal(await runCli(["kb", "show", ids[0]!], io), 0);
    assert.match(io.stdout(), /Split, sort the halves, merge them\./);
    const kb = await openKnowledgeBase(ws.dir);
    const escape = kb.addEntry(note("Escapes", "red \u001b[31malert\u001b[0m bell \u0007"));
    await kb.commitRound();
    await kb.close();
    const shown = captureIO(ws.dir);
    await runCli(["kb", "show", escape.id], shown);
    assert.ok(!/[\u0000-\u0008\u001b]/.test(shown.stdout()), "no terminal escapes reach the terminal");
    assert.match(shown.stdout(), /red ⟨U\+001B⟩\[31malert/);
    const missing = captureIO(ws.dir);
    assert.equal(await runCli(["kb", "show", "n-zz"], missing), 1);
    assert.match(missing.stderr(), /There is no entry "n-zz".*\n.*kb search/);
  });

  it("a corrupt kb.json makes status fail naming the file, and rebuild restores it keeping a backup", async () => {
    const kbJson = join(ws.dir, ".culture", "kb.json");
    writeFileSync(kbJson, "not json at all");
    const status = captureIO(ws.dir);
    assert.equal(await runCli(["kb", "status"], status), 1);
    assert.ok(status.stderr().includes(kbJson));
    assert.match(status.stderr(), /culture-lab kb rebuild/);
    assert.equal(readFileSync(kbJson, "utf8"), "not json at all");

    const rebuild = captureIO(ws.dir);
    assert.equal(await runCli(["kb", "rebuild"], rebuild), 0);
    assert.match(rebuild.stdout(), /rebuilt .*kb\.json .*: 3 entries/);
    const backups = readdirSync(join(ws.dir, ".culture")).filter((name) => name.startsWith("kb.json.bak-"));
    assert.equal(backups.length, 1);
    assert.equal(readFileSync(join(ws.dir, ".culture", backups[0]!), "utf8"), "not json at all");
    const after = captureIO(ws.dir);
    assert.equal(await runCli(["kb", "status"], after), 0);
    assert.match(after.stdout(), /3 entries/);
  });

  it("refuses bad arguments with usage and exit code 2", async () => {
    for (const args of [["kb"], ["kb", "frob"], ["kb", "search"], ["kb", "--nope"]]) {
      const io = captureIO(ws.dir);
      assert.equal(await runCli(args, io), 2, args.join(" "));
      assert.match(io.stderr(), /Run `culture-lab kb --help` for the options\./);
    }
    const io = captureIO(ws.dir);
    assert.equal(await runCli(["kb", "search", "x", "--kind", "essay"], io), 1);
    assert.match(io.stderr(), /--kind 'essay' is not a kind/);
  });

  it("refuses a generation range written backwards instead of quietly matching nothing", async () => {
    const io = captureIO(ws.dir);
    assert.equal(await runCli(["kb", "search", "x", "--generation", "3-1"], io), 1);
    assert.match(io.stderr(), /--generation '3-1' runs backwards.*\n  → Write the smaller first: --generation 1-3/);
  });

  it("status on a workspace without a knowledge base says so", async () => {
    const io = captureIO(join(ws.dir, "elsewhere"));
    assert.equal(await runCli(["kb", "status"], io), 1);
    assert.match(io.stderr(), /There is no knowledge base at/);
    assert.ok(!existsSync(join(ws.dir, "elsewhere")));
  });
});
