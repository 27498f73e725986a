// The table `npm run bench:llm` prints: our runtime on the prebuilt and the native llama.cpp build beside
// llama-batched-bench ("native" = llama.cpp's own build for this CPU; "same kernels" = on node-llama-cpp's
// prebuilt CPU backend), per thread count. A column that could not be measured says why instead of a number,
// and the table prints whatever else was measured.

/** A column's figures (median tok/s per row key), or why there are none. */
export type Measured = { ok: true; speeds: Map<string, number> } | { ok: false; why: string };

export interface ThreadResults {
  threads: number;
  ours: { prebuilt: Measured; native: Measured };
  llamaCpp: { native: Measured; sameKernels: Measured };
  /** Share of a one-agent call spent outside llama.cpp's decode, per build (when measured). */
  outsideDecode: { prebuilt?: number; native?: number };
}

/** Row label → our key and the anchor's batch size (llama-batched-bench -npl). */
export const ROWS: Array<{ label: string; key: string; pl: number }> = [
  { label: "1 agent", key: "1 batched", pl: 1 },
  { label: "2 agents, one context", key: "2 batched", pl: 2 },
  { label: "4 agents, one context", key: "4 batched", pl: 4 },
  { label: "8 agents, one context", key: "8 batched", pl: 8 },
  { label: "8 agents one after another", key: "8 one after another", pl: 1 },
];

const value = (m: Measured, key: string): number | undefined => (m.ok ? m.speeds.get(key) : undefined);
const fmt = (x: number | undefined, digits = 1) => (x === undefined || !Number.isFinite(x) ? "—" : x.toFixed(digits));
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : a / b);

export function formatTable(results: ThreadResults[]): string {
  const lines: string[] = [];
  const columns = ["ours prebuilt", "ours native", "llama.cpp native", "native/native", "same kernels", "prebuilt/same"];
  for (const r of results) {
    lines.push("", `${r.threads} ${r.threads === 1 ? "thread" : "threads"} (tok/s)`.padEnd(28) + columns.map((c) => c.padStart(c.length + 2)).join(""));
    for (const row of ROWS) {
      const ourPrebuilt = value(r.ours.prebuilt, row.key);
      const ourNative = value(r.ours.native, row.key);
      const theirNative = value(r.llamaCpp.native, String(row.pl));
      const theirSame = value(r.llamaCpp.sameKernels, String(row.pl));
      const cells = [fmt(ourPrebuilt), fmt(ourNative), fmt(theirNative), fmt(ratio(ourNative, theirNative), 2), fmt(theirSame), fmt(ratio(ourPrebuilt, theirSame), 2)];
      lines.push(row.label.padEnd(28) + cells.map((c, i) => c.padStart(columns[i]!.length + 2)).join(""));
    }
    const scaling = (m: Measured) => fmt(ratio(value(m, "8 batched"), value(m, "1 batched")), 2);
    const pl = (m: Measured) => fmt(ratio(value(m, "8"), value(m, "1")), 2);
    lines.push(`8 agents batched / 1 agent: ours prebuilt ${scaling(r.ours.prebuilt)}×, ours native ${scaling(r.ours.native)}×, llama.cpp native ${pl(r.llamaCpp.native)}×, same kernels ${pl(r.llamaCpp.sameKernels)}×`);
    const outside = (x: number | undefined) => (x === undefined ? "—" : `${(100 * x).toFixed(1)}%`);
    lines.push(`time outside llama.cpp's decode, 1 agent: prebuilt ${outside(r.outsideDecode.prebuilt)}, native ${outside(r.outsideDecode.native)} of call time (sampling, scheduling, JS)`);
    const missing: Array<[string, Measured]> = [
      ["ours native", r.ours.native],
      ["ours prebuilt", r.ours.prebuilt],
      ["llama.cpp native", r.llamaCpp.native],
      ["same kernels", r.llamaCpp.sameKernels],
    ];
    for (const [name, m] of missing) if (!m.ok) lines.push(`${name}: unavailable: ${m.why}`);
  }
  return lines.join("\n");
}

/** Why a program that ran as an anchor produced nothing: its signal (a crash) or exit code, and its last words. */
export function whyFailed(error: unknown): string {
  const e = error as { signal?: string | null; status?: number | null; stderr?: string | Buffer; message?: string };
  const said = String(e.stderr ?? "").trim().split("\n").filter(Boolean).slice(-1)[0];
  const how = e.signal ? `crashed (${e.signal})` : e.status !== undefined && e.status !== null ? `exited with code ${e.status}` : (e.message ?? String(error));
  return said ? `${how}: ${said.slice(0, 200)}` : how;
}
