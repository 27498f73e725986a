// The QuickJS runner itself, on this thread: its memory cap is a real bound on the WebAssembly memory, which
// QuickJS's own limit is not in this build.
import assert from "node:assert/strict";
import { QuickJsRunner } from "../../agents/sandbox/quickJsRunner";
import { DEFAULT_LIMITS } from "../../agents/sandbox/limits";

describe("the sandbox's QuickJS runner", () => {
  const memoryBytes = 8 * 1024 * 1024;
  const limits = { ...DEFAULT_LIMITS, memoryBytes, timeoutMs: 10_000 };

  it("keeps the WebAssembly memory within 16 MiB plus the cap whatever a program allocates", async () => {
    const runner = new QuickJsRunner();
    await runner.load(memoryBytes);
    const bombs = [
      "function f(){ const a = []; for (;;) a.push('x'.repeat(1e5) + a.length) }",
      "function f(){ const a = []; for (;;) a.push([a.length, a.length]) }",
      "function f(){ const a = []; for (;;) a.push({ k: 'v' + a.length }) }",
    ];
    for (const bomb of bombs) {
      const [outcome] = await runner.run(bomb, "f", ["[]"], limits);
      assert.equal(!outcome!.ok && outcome!.reason, "memory", JSON.stringify(outcome));
      assert.ok(runner.wasmBytes <= 16 * 1024 * 1024 + memoryBytes, `${runner.wasmBytes} bytes`);
    }
    const [after] = await runner.run("const f = n => n + 1", "f", ["[41]"], limits);
    assert.equal(after!.ok && after!.value, 42);
  });

  it("reloads with a new cap when a run asks for a different memory limit", async () => {
    const runner = new QuickJsRunner();
    await runner.load(memoryBytes);
    const program = "function f(mb){ return 'x'.repeat(mb * 1024 * 1024).length }";
    const [small] = await runner.run(program, "f", ["[20]"], limits);
    assert.equal(!small!.ok && small!.reason, "memory");
    const [big] = await runner.run(program, "f", ["[20]"], { ...limits, memoryBytes: 64 * 1024 * 1024 });
    assert.equal(big!.ok && big!.value, 20 * 1024 * 1024);
  });
});
