import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { formatTable, whyFailed } from "./llmTable";
import type { Measured } from "./llmTable";

const speeds = (entries: Record<string, number>): Measured => ({ ok: true, speeds: new Map(Object.entries(entries)) });

/** What execFileSync throws when the Node program `script` fails, as the bench sees an anchor fail. */
function failureOf(script: string): unknown {
  try {
    execFileSync(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    return error;
  }
  throw new Error(`${script} did not fail`);
}

describe("the bench:llm table", () => {
  it("prints every row when an anchor crashed, and says the anchor is unavailable and why", () => {
    const crash = failureOf("process.abort()");
    const table = formatTable([
      {
        threads: 2,
        ours: { prebuilt: speeds({ "1 batched": 60, "2 batched": 100, "4 batched": 180, "8 batched": 250, "8 one after another": 58 }), native: { ok: false, why: "not built — run `culture-lab build-native`" } },
        llamaCpp: { native: speeds({ "1": 140, "2": 200, "4": 330, "8": 467 }), sameKernels: { ok: false, why: whyFailed(crash) } },
        outsideDecode: { prebuilt: 0.031 },
      },
    ]);
    assert.match(table, /^8 agents, one context\s+250\.0\s+—\s+467\.0\s+—\s+—\s+—$/m);
    assert.match(table, /^1 agent\s+60\.0\s+—\s+140\.0/m);
    assert.match(table, /^same kernels: unavailable: crashed \(SIGABRT\)/m);
    assert.match(table, /^ours native: unavailable: not built — run `culture-lab build-native`/m);
    assert.match(table, /ours prebuilt 4\.17×.*llama\.cpp native 3\.34×/);
    assert.match(table, /prebuilt 3\.1%, native —/);
  });

  it("divides ours by the anchor built the same way: our native build by llama.cpp's native build", () => {
    const table = formatTable([
      {
        threads: 1,
        ours: { prebuilt: speeds({ "1 batched": 50 }), native: speeds({ "1 batched": 70 }) },
        llamaCpp: { native: speeds({ "1": 100 }), sameKernels: speeds({ "1": 62.5 }) },
        outsideDecode: {},
      },
    ]);
    assert.match(table, /^1 thread \(tok\/s\)/m);
    assert.match(table, /^1 agent\s+50\.0\s+70\.0\s+100\.0\s+0\.70\s+62\.5\s+0\.80$/m);
  });

  it("says how a failed program ended: its exit code and its last line", () => {
    const failure = failureOf("console.error('first'); console.error('model file not found'); process.exit(3)");
    assert.equal(whyFailed(failure), "exited with code 3: model file not found");
  });
});
