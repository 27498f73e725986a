import assert from "node:assert/strict";
import { renderHtmlReport, verdict } from "../../agents/report/htmlReport";
import type { GenerationSummary, RunSummary } from "../../agents/report/runSummary";

function generation(i: number, extra: Partial<GenerationSummary> = {}): GenerationSummary {
  return {
    generation: i, proposals: 4, validProposals: 0, invalidReasons: { syntax: 4 }, attempts: 0, solved: 0, notesWritten: 0,
    notesRejected: 0, chaptersWritten: 0, archived: 0, reuse: 0, citationDepth: 0, metrics: {}, collapseAlarm: false,
    completionTokens: 100, wallMs: 1000, modelBusyMs: 900, phaseMs: {}, ...extra,
  };
}

function run(generations: GenerationSummary[], caveats: string[] = []): RunSummary {
  return { runId: "r1", startedAt: "2026-11-23T00:00:00Z", model: { name: "tiny", sha256: "ab".repeat(32), parameters: 1000, isNoise: true }, caveats, generations };
}

describe("the HTML run report", () => {
  it("says plainly when no valid problem was proposed and nothing was evaluated", () => {
    const lines = verdict(run([generation(0), generation(1)]));
    assert.ok(lines.some((l) => l.includes("0 of 8 proposed problems were valid")));
    assert.ok(lines.some((l) => l.includes("taught nothing")));
    assert.ok(lines.some((l) => l.includes("No held-out evaluation ran")));
  });

  it("claims a gain only when its interval excludes zero", () => {
    const evaluation = { withKb: 0.6, withoutKb: 0.4, gain: 0.2, gainLow: -0.05, gainHigh: 0.45, ratchet: 0.6 };
    assert.ok(verdict(run([generation(0, { evaluation })])).some((l) => l.startsWith("No measurable effect")));
    const clear = { ...evaluation, gainLow: 0.1, gainHigh: 0.3 };
    assert.ok(verdict(run([generation(0, { evaluation: clear })])).some((l) => l.startsWith("The knowledge base helped")));
  });

  it("renders agent-written and caveat text as text, never as markup", () => {
    const html = renderHtmlReport(run([generation(0, { collapseAlarm: true })], ["<script>alert(1)</script> output is noise"]));
    assert.ok(!html.includes("<script>alert(1)"));
    assert.ok(html.includes("&lt;script&gt;alert(1)&lt;/script&gt; output is noise"));
    assert.ok(html.includes("Collapse alarm raised at generation(s) 0."));
  });

  it("is one file that loads nothing from elsewhere", () => {
    const html = renderHtmlReport(run([generation(0), generation(1, { metrics: { distinct_2: 0.5, self_bleu_4: 0.1 } })]));
    assert.ok(!/\b(src|href)=/.test(html));
    assert.match(html, /<svg /);
  });
});
