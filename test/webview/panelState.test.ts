// The panel's state and words, fed with messages recorded from real sessions (test/webview/recordPanelFixture.ts).
import assert from "node:assert/strict";
import { CHARTS, chartColumns } from "../../webview/chartSpecs";
import { seriesCsv, seriesJson } from "../../webview/exportSeries";
import { agentGenerations, modelParameters } from "../../agents/report/runRecords";
import { toPanelEntries, toPanelSession } from "../../webview/fromRecords";
import { lineageGraph, LINEAGE_MAX_NODES } from "../../webview/lineage";
import { fromPersisted, initialState, reduce, toPersisted, type PanelState } from "../../webview/panelState";
import type { PanelEntry, ToPanel } from "../../webview/protocol";
import { configDifferences } from "../../webview/runsView";
import { sessionLine, verdict } from "../../webview/verdict";
import { loadFixture, type PanelFixture } from "./panelFixture";

const play = (messages: ToPanel[], state: PanelState = initialState()) => messages.reduce(reduce, state);
const snapshotOf = (f: PanelFixture): ToPanel => ({ type: "snapshot", runs: f.runs, run: f.runData[0], entries: [], session: { phase: "finished" }, lastEventAt: 1 });

describe("the panel's state, fed a recorded session", () => {
  const accumulating = loadFixture("accumulating");
  const collapsing = loadFixture("collapsing");

  it("holds every generation of the live run once, in order, after the recorded stream", () => {
    const state = play(accumulating.live);
    const recorded = accumulating.runData[0]!;
    assert.deepEqual(state.run?.summaries.map((s) => s.generation), recorded.summaries.map((s) => s.generation));
    assert.deepEqual(state.run?.summaries, recorded.summaries);
    assert.equal(state.run?.agents?.length, recorded.agents!.length);
    assert.equal(state.session.phase, "finished");
  });

  it("leaves the per-agent rows unloaded after a snapshot without them, and merges rows that came live before the asked-for ones", () => {
    const recorded = accumulating.runData[0]!;
    const gens = recorded.summaries.map((s) => s.generation);
    const last = gens.at(-1)!;
    const { agents: _rows, ...withoutRows } = recorded;
    const earlier = { ...withoutRows, summaries: recorded.summaries.filter((s) => s.generation < last) };
    let state = reduce(initialState(), { type: "snapshot", runs: accumulating.runs, run: earlier, entries: [], session: { phase: "running", runId: recorded.runId } });
    assert.equal(state.run?.agents, undefined, "not loaded: the Agents tab asks for them");
    // The last generation is committed while the rows are on their way; the answer was read before it.
    const liveRows = recorded.agents!.filter((a) => a.generation === last);
    assert.ok(liveRows.length > 0);
    state = reduce(state, { type: "generation", runId: recorded.runId, summary: recorded.summaries.at(-1)!, agents: liveRows, at: 2 });
    assert.equal(state.run?.agents, undefined);
    state = reduce(state, { type: "agentRows", runId: recorded.runId, agents: recorded.agents!.filter((a) => a.generation < last) });
    assert.deepEqual(state.run?.agents, recorded.agents, "every generation's rows, once");
    assert.deepEqual(state.lateAgentRows, []);
    // An answer for a run no longer shown changes nothing.
    assert.equal(reduce(state, { type: "agentRows", runId: "another-run", agents: [] }), state);
  });

  it("keeps the newest entries, and an entry sent again (newly archived) replaces the old one in place", () => {
    const state = play(accumulating.live);
    const sent = accumulating.live.flatMap((m) => (m.type === "entries" ? m.entries : []));
    assert.equal(state.entries.length, sent.length);
    const first = state.entries[0]!;
    const after = reduce(state, { type: "entries", entries: [{ ...first, archived: true }], at: 5 });
    assert.equal(after.entries.length, state.entries.length);
    assert.equal(after.entries[0]!.archived, true);
    assert.equal(after.entries[0]!.id, first.id);
  });

  it("drops live messages while paused, and a snapshot on resume brings back every generation", () => {
    const [head, tail] = [accumulating.live.slice(0, 4), accumulating.live.slice(4)];
    let state = play(head);
    state = reduce(state, { type: "ui.paused", paused: true });
    state = play(tail, state);
    assert.ok(state.run!.summaries.length < accumulating.runData[0]!.summaries.length, "paused: later generations not drawn");
    state = reduce(state, { type: "ui.paused", paused: false });
    state = reduce(state, snapshotOf(accumulating));
    assert.deepEqual(state.run?.summaries.map((s) => s.generation), accumulating.runData[0]!.summaries.map((s) => s.generation));
  });

  it("loses no generation when the panel is hidden and re-shown mid-run (saved state, then the snapshot sent on becoming visible)", () => {
    const half = Math.floor(accumulating.live.length / 2);
    const before = play(accumulating.live.slice(0, half));
    const saved = JSON.parse(JSON.stringify(toPersisted({ ...before, tab: "feed", range: { from: 1 } })));
    const revived = fromPersisted(saved);
    assert.equal(revived.tab, "feed");
    assert.deepEqual(revived.range, { from: 1, to: undefined });
    assert.deepEqual(revived.run?.summaries, before.run?.summaries, "drawn at once from the saved state");
    const after = play(accumulating.live.slice(half), reduce(revived, snapshotOf({ ...accumulating, runData: [{ ...accumulating.runData[0]!, summaries: before.run!.summaries }] })));
    assert.deepEqual(after.run?.summaries.map((s) => s.generation), accumulating.runData[0]!.summaries.map((s) => s.generation));
  });

  it("ignores saved state that is not what it saved", () => {
    const revived = fromPersisted({ tab: "<script>", range: { from: "x" }, run: { summaries: 3 }, paused: "yes" });
    assert.equal(revived.tab, "charts");
    assert.equal(revived.range.from, undefined);
    assert.equal(revived.run, undefined);
    assert.equal(revived.paused, false);
    assert.deepEqual(fromPersisted("junk"), initialState());
  });

  it("does not mix a live generation of one run into another run the user is looking at", () => {
    const other = accumulating.runData[1]!;
    let state = reduce(initialState(), { type: "runData", run: other, role: "main" });
    state = play(accumulating.live, state);
    assert.equal(state.run?.runId, other.runId);
    assert.equal(state.run?.summaries.length, other.summaries.length);
  });

  it("says 'Accumulating' with the gain and its interval when the last held-out interval is above zero", () => {
    const summaries = accumulating.runData[0]!.summaries;
    const last = summaries.findLast((s) => s.evaluation)!;
    assert.ok(last.evaluation!.gainLow > 0, "the recorded run accumulates");
    const v = verdict(summaries);
    assert.match(v.accumulation, new RegExp(`^Accumulating: held-out gain \\+${last.evaluation!.gain.toFixed(2)} \\(95% CI \\+[0-9.]+\\.\\.\\+[0-9.]+\\) at gen ${last.generation}$`));
    assert.equal(v.alarm, undefined);
    // The same run with an interval reaching below zero must not be called accumulating.
    const doubtful = summaries.map((s) => (s.evaluation ? { ...s, evaluation: { ...s.evaluation, gainLow: -0.05 } } : s));
    assert.match(verdict(doubtful).accumulation, /^No measurable effect yet: held-out gain/);
  });

  it("says 'No measurable effect yet' for the control run, which has no knowledge base to compare with", () => {
    assert.match(verdict(accumulating.runData[1]!.summaries).accumulation, /^No measurable effect yet/);
    assert.equal(verdict([]).accumulation, "No generation yet.");
  });

  it("names the collapse alarm's start and the series that fell on the collapsing stream", () => {
    const summaries = collapsing.runData[0]!.summaries;
    const firstAlarm = summaries.find((s) => s.collapseAlarm)!.generation;
    const v = verdict(summaries);
    assert.ok(v.alarm?.startsWith(`Collapse alarm since gen ${firstAlarm}: `), v.alarm);
    // The detector's own reasons, as the generation record carries them (issue 15's collapseReasons).
    assert.match(v.alarm!, /notes: distinct_2 [\d.]+ fell \d+% from its best [\d.]+ \(gen \d+\): collapse/);
    // Runs recorded before collapseReasons existed are explained from the metric series, as before.
    const older = verdict(summaries.map(({ collapseReasons: _reasons, ...s }) => s));
    assert.ok(older.alarm?.startsWith(`Collapse alarm since gen ${firstAlarm}: `), older.alarm);
    assert.match(older.alarm!, /distinct-2 −\d+%/);
    assert.match(older.alarm!, /self-BLEU-4 \+0\.\d\d/);
    // A detector that never fires must show no alarm.
    assert.equal(verdict(summaries.map((s) => ({ ...s, collapseAlarm: false }))).alarm, undefined);
  });

  it("says how long ago the last event was, so a stalled run shows", () => {
    assert.equal(sessionLine({ phase: "running", generation: 12, firstGeneration: 10, generations: 6, tokensPerSecond: 41.26 }, 10_000, 13_400), "Running · gen 12 (3 of 6) · 41.3 tok/s · last event 3 s ago");
    assert.equal(sessionLine({ phase: "idle" }, undefined, 0), "No session running");
    const fromEngine = toPanelSession({ state: "paused", runId: "r", generation: 4, firstGeneration: 4, generations: 2 });
    assert.deepEqual(fromEngine, { phase: "paused", runId: "r", generation: 4, firstGeneration: 4, generations: 2 });
    assert.equal(sessionLine(fromEngine, undefined, 0), "Paused · gen 4 (1 of 2)");
  });

  it("gives every chart one column per series and one value per generation that measured it (gaps, never zeros)", () => {
    const summaries = collapsing.runData[0]!.summaries;
    for (const spec of CHARTS) {
      const c = chartColumns(spec, summaries);
      assert.equal(c.x.length, summaries.length, spec.id);
      for (const col of c.ys) assert.equal(col.length, summaries.length, spec.id);
    }
    const held = chartColumns(CHARTS.find((c) => c.id === "held-out")!, accumulating.runData[0]!.summaries);
    assert.equal(held.ys[0]!.filter((v) => v !== null).length, accumulating.runData[0]!.summaries.filter((s) => s.evaluation).length);
    assert.ok(held.ys[0]!.includes(null), "generations without an evaluation are gaps");
  });

  it("exports every series as CSV (one row per generation) and JSON (the summaries as sent)", () => {
    const runs = accumulating.runData;
    const csv = seriesCsv(runs).trimEnd().split("\r\n");
    const header = csv[0]!.split(",");
    assert.equal(csv.length - 1, runs[0]!.summaries.length + runs[1]!.summaries.length);
    const col = header.indexOf("metrics.distinct_2");
    assert.ok(col > 0 && header.includes("evaluation.gainLow") && header[0] === "run" && header[1] === "generation");
    assert.equal(Number(csv[1]!.split(",")[col]), runs[0]!.summaries[0]!.metrics.distinct_2 ?? Number.NaN);
    assert.deepEqual(JSON.parse(seriesJson(runs)).runs[1].generations, runs[1]!.summaries);
    const hostile = seriesCsv([{ runId: "=cmd|' /C calc'!A0", summaries: [runs[0]!.summaries[0]!], agents: [], caveats: [] }]);
    assert.match(hostile, /\r\n'=cmd\|' \/C calc'!A0,/, "a formula-looking cell is defused");
  });

  it("lists the configuration settings that differ between two compared runs", () => {
    const [a, b] = accumulating.runs;
    const diff = configDifferences(a!.config, b!.config).map((d) => d.key);
    assert.ok(diff.includes("knowledgeBaseAccess") && diff.includes("generations") && diff.includes("seed"), diff.join(", "));
    assert.ok(!diff.includes("retrievalK"));
  });

  it("draws the lineage of the newest entries, with edges only between entries it shows", () => {
    const entries = play(accumulating.live).entries;
    const { nodes, edges } = lineageGraph(entries);
    assert.equal(nodes.length, Math.min(entries.length, LINEAGE_MAX_NODES));
    assert.ok(edges.length > 0, "scripted notes cite earlier ones");
    const many: PanelEntry[] = Array.from({ length: 400 }, (_, i) => ({ id: `n-${i.toString(36)}`, kind: "note", author: "a", generation: i, title: "", text: "", cites: i > 0 ? [`n-${(i - 1).toString(36)}`] : [], createdAt: "", archived: false }));
    const g = lineageGraph(many);
    assert.equal(g.nodes.length, LINEAGE_MAX_NODES);
    assert.equal(g.edges.length, LINEAGE_MAX_NODES - 1);
    assert.equal(g.nodes[0]!.cited, 1, "citations from all entries count toward size");
  });

  it("gives each problem in the feed its play verdict, held-out attempts aside, and marks archived entries", () => {
    const base = { author: "agent-1", generation: 0, title: "t", text: "x", cites: [], createdAt: "2026-01-01T00:00:00Z" };
    const [problem, untried, note] = toPanelEntries(
      [{ ...base, id: "p-1", kind: "problem" }, { ...base, id: "p-2", kind: "problem" }, { ...base, id: "n-1", kind: "note", archived: { at: "2026-01-02T00:00:00Z", reason: "unused" } }],
      [
        { problemId: "p-1", agentId: "agent-2", generation: 0, correct: true },
        { problemId: "p-1", agentId: "agent-3", generation: 0, correct: false },
        { problemId: "p-1", agentId: "agent-3", generation: 0, correct: true, data: { heldOut: true } },
      ],
    );
    assert.equal(problem!.verdict, "solved 1 of 2");
    assert.equal(untried!.verdict, "not attempted yet");
    assert.equal(note!.verdict, undefined);
    assert.equal(note!.archived, true);
    assert.equal(problem!.archived, false);
  });

  it("counts an agent's play attempts without the held-out evaluation's", () => {
    const rows = agentGenerations(
      [{ agentId: "a", generation: 0, role: "solver", promptTokens: 40, completionTokens: 5, ms: 2 }, { agentId: "a", generation: 0, role: "writer", promptTokens: 30, completionTokens: 3, ms: 1 }],
      [{ agentId: "a", generation: 0, problemId: "p-1", correct: true }, { agentId: "a", generation: 0, problemId: "h", correct: false, data: { heldOut: true } }],
    );
    assert.deepEqual(rows, [{ agentId: "a", generation: 0, roles: ["solver", "writer"], calls: 2, promptTokens: 70, completionTokens: 8, callMs: 3, attempts: 1, solved: 1 }]);
  });

  it("estimates an agent's FLOPs as 2 × parameters × (prompt + completion tokens), and not at all without a parameter count", () => {
    const calls = [
      { agentId: "a", generation: 0, role: "solver", promptTokens: 40, completionTokens: 5, ms: 2 },
      { agentId: "b", generation: 0, role: "solver", promptTokens: 10, completionTokens: 2, ms: 2 },
      { agentId: "a", generation: 0, role: "writer", promptTokens: 30, completionTokens: 3, ms: 1 },
    ];
    // 2 × 1,000 × (40 + 5 + 30 + 3) and 2 × 1,000 × (10 + 2), worked by hand.
    assert.deepEqual(agentGenerations(calls, [], 1_000).map((r) => [r.agentId, r.flops]), [["a", 156_000], ["b", 24_000]]);
    assert.ok(agentGenerations(calls, []).every((r) => r.flops === undefined));
    assert.equal(modelParameters({ models: [{ name: "m", parameters: 1_000 }] }), 1_000);
    for (const models of [[], [{ name: "m" }], [{ parameters: 0 }], [{ parameters: "many" }]]) assert.equal(modelParameters({ models }), undefined, JSON.stringify(models));
  });

  it("draws the hardest problem solved so far as the running best of the hardest solved per generation", () => {
    const spec = CHARTS.find((c) => c.id === "difficulty-frontier")!;
    const base = accumulating.runData[0]!.summaries[0]!;
    const gens = [undefined, 0.4, undefined, 0.1, 0.7].map((hardestSolved, i) => ({ ...base, generation: i, hardestSolved }));
    assert.deepEqual(chartColumns(spec, gens).ys[2], [null, 0.4, 0.4, 0.4, 0.7]);
    assert.deepEqual(chartColumns(spec, gens).ys[1], [null, 0.4, null, 0.1, 0.7], "a generation that solved nothing is a gap");
  });
});
