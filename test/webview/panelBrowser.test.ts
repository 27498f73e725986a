// The built panel in a real Chromium (no VS Code: its webview API is a test double, see panelPage.ts), fed the
// messages recorded from real sessions, asserting what a person would see. Screenshots go to a printed folder.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Browser, Page } from "playwright-core";
import { parsePanelRequest, type PanelEntry, type ToPanel } from "../../webview/protocol";
import { signed } from "../../webview/verdict";
import { LINEAGE_MAX_NODES } from "../../webview/lineage";
import { applyTheme, buildPanel, cleanup, installVsCodeApiDouble, launchChromium, posted, revealCharts, send, servePanel, settle, type PanelServer } from "./panelPage";
import { loadFixture, STATED_PARAMETERS, type PanelFixture } from "./panelFixture";
import { parseLoopConfig } from "../../agents/loop/loopConfig";
import { runSession } from "../../agents/loop/session";
import { Sandbox } from "../../agents/sandbox/sandbox";
import { describeTestDouble, heldOutAnswerKey, scriptedAgentFactory } from "../doubles/scriptedAgent";

const snapshot = (f: PanelFixture, entries: PanelEntry[] = []): ToPanel => ({
  type: "snapshot",
  runs: f.runs,
  run: f.runData[0],
  entries,
  session: { phase: "finished", runId: f.runData[0]!.runId },
  lastEventAt: Date.now() - 3000,
});
const entriesOf = (f: PanelFixture) => f.live.flatMap((m) => (m.type === "entries" ? m.entries : []));

describe("the metrics panel in a real browser", function () {
  this.timeout(120_000);
  let build: Awaited<ReturnType<typeof buildPanel>>;
  let server: PanelServer;
  let browser: Browser;
  let page: Page;
  let dialogs: string[];
  let pageErrors: string[];
  const shots = mkdtempSync(join(tmpdir(), "cl-panel-screenshots-"));
  const accumulating = loadFixture("accumulating");
  const collapsing = loadFixture("collapsing");

  before(async () => {
    build = await buildPanel();
    server = await servePanel(build.dir);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    if (build) cleanup(build.dir);
    console.log(`      panel screenshots: ${shots}`);
  });
  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    dialogs = [];
    pageErrors = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on("pageerror", (e) => pageErrors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") pageErrors.push(m.text());
    });
    await installVsCodeApiDouble(page);
    await page.goto(server.url);
    await applyTheme(page, "light");
    await settle(page);
  });
  afterEach(async () => {
    await page.close();
    assert.deepEqual(pageErrors, [], "no script error and no CSP violation on the page");
  });

  it("says it is ready, then shows the verdict, the session and every chart for a recorded accumulating session", async () => {
    assert.deepEqual((await posted(page))[0], { type: "ready" });
    assert.equal(await page.textContent("#verdict"), "No generation yet.");
    assert.equal(await page.textContent("#session"), "No session running");
    assert.match((await page.textContent("#panel-charts"))!, /charts appear when the first generation/);
    await send(page, accumulating.live);
    const summaries = accumulating.runData[0]!.summaries;
    const last = summaries.findLast((s) => s.evaluation)!;
    const e = last.evaluation!;
    assert.equal(await page.textContent("#verdict"), `Accumulating: held-out gain ${signed(e.gain)} (95% CI ${signed(e.gainLow)}..${signed(e.gainHigh)}) at gen ${last.generation}`);
    assert.equal(await page.isVisible("#alarm"), false);
    assert.match((await page.textContent("#session"))!, /^Finished · last event \d+ (s|min|h) ago$/);
    const evaluated = summaries.filter((s) => s.evaluation).length;
    assert.equal(await page.getAttribute("#chart-held-out", "data-points"), `${evaluated},${evaluated},${evaluated}`);
    assert.equal(await page.getAttribute("#chart-self-play", "data-points"), `${summaries.length},${summaries.length}`);
    assert.equal(await page.getAttribute("#chart-knowledge-base", "data-points"), Array(6).fill(summaries.length).join(","));
    const drawnAtOnce = await page.locator("figure.chart canvas").count();
    assert.ok(drawnAtOnce >= 4 && drawnAtOnce < 8, `the charts in view are drawn at once (${drawnAtOnce})`);
    await revealCharts(page);
    assert.equal(await page.locator("figure.chart canvas").count(), await page.locator("figure.chart").count(), "the others when scrolled to");
    assert.equal(await page.locator("figure.chart figcaption").count(), 10, "every chart says what it means");
    // Self-play's learnability and difficulty frontier: a point per generation that had a valid problem (or solved
    // one), and the best-so-far line from the first generation that solved something.
    const has = (pick: (s: (typeof summaries)[number]) => number | undefined) => summaries.filter((s) => pick(s) !== undefined).length;
    const firstSolved = summaries.findIndex((s) => s.hardestSolved !== undefined);
    assert.ok(has((s) => s.learnability) > 0 && firstSolved >= 0, "the recorded session proposed and solved problems");
    assert.ok(has((s) => s.hardestSolved) < summaries.length, "and has a generation that solved nothing (a gap, not a 0)");
    assert.equal(await page.getAttribute("#chart-learnability", "data-points"), `${has((s) => s.learnability)}`);
    assert.equal(await page.getAttribute("#chart-difficulty-frontier", "data-points"), `${has((s) => s.proposedDifficulty)},${has((s) => s.hardestSolved)},${summaries.length - firstSolved}`);
    // The values behind a chart, from the keyboard: focus its "Values" and open it.
    await page.focus("#chart-held-out summary");
    await page.keyboard.press("Enter");
    const rows = page.locator("#chart-held-out .values tbody tr");
    await rows.first().waitFor(); // the details element's toggle event comes as its own task
    assert.equal(await rows.count(), summaries.length);
    assert.equal(await rows.nth(last.generation - summaries[0]!.generation).locator("td").first().textContent(), e.withKb.toFixed(3));
    await page.keyboard.press("Enter");
    await rows.first().waitFor({ state: "hidden", timeout: 5000 }); // and closes it again
    await page.screenshot({ path: join(shots, "panel-light.png"), fullPage: true });
  });

  it("shows the collapse alarm banner, saying since when and which series fell, on the collapsing stream", async () => {
    await send(page, collapsing.live);
    const first = collapsing.runData[0]!.summaries.find((s) => s.collapseAlarm)!.generation;
    assert.equal(await page.isVisible("#alarm"), true);
    assert.equal(await page.getAttribute("#alarm", "role"), "alert");
    assert.match((await page.textContent("#alarm"))!, new RegExp(`^Collapse alarm since gen ${first}: .*distinct_2 [\\d.]+ fell \\d+% from its best`));
    await applyTheme(page, "dark");
    await settle(page);
    await revealCharts(page);
    await page.screenshot({ path: join(shots, "panel-dark-collapse.png"), fullPage: true });
    await applyTheme(page, "high-contrast");
    await settle(page);
    await page.screenshot({ path: join(shots, "panel-high-contrast.png") });
  });

  it("draws the lineage graph laid out in a Web Worker, one node per entry shown, and opens an entry on click or Enter", async () => {
    const entries = entriesOf(accumulating);
    await send(page, [snapshot(accumulating, entries)]);
    await page.click("#tab-lineage");
    await page.locator(".lineage[data-layout]").waitFor();
    assert.equal(await page.getAttribute(".lineage", "data-layout"), "worker", "laid out off the main thread");
    assert.equal(await page.locator("script").count(), 1, "and dagre never loaded into the page");
    const nodes = page.locator(".lineage .node");
    assert.equal(await nodes.count(), Math.min(entries.length, LINEAGE_MAX_NODES));
    assert.match((await page.getAttribute(".lineage path.edges", "d"))!, /^M[\d.]+,[\d.]+L/);
    const id = await nodes.first().getAttribute("data-id");
    await nodes.first().click();
    await nodes.nth(1).focus();
    await page.keyboard.press("Enter");
    const opened = (await posted(page)).filter((m) => m.type === "openEntry");
    assert.deepEqual(opened, [{ type: "openEntry", id }, { type: "openEntry", id: await nodes.nth(1).getAttribute("data-id") }]);
    for (const m of opened) parsePanelRequest(m);
    await applyTheme(page, "dark");
    await settle(page);
    await page.screenshot({ path: join(shots, "lineage-dark.png") });
  });

  it("lays the lineage out on the page when no worker can start, drawing the very same graph", async () => {
    const entries = entriesOf(accumulating);
    const drawn = async (p: Page) => {
      await send(p, [snapshot(accumulating, entries)]);
      await p.click("#tab-lineage");
      await p.locator(".lineage[data-layout]").waitFor();
      return { path: await p.getAttribute(".lineage", "data-layout"), why: await p.getAttribute(".lineage", "data-layout-why"), svg: await p.locator(".lineage svg[role=group]").evaluate((e) => e.outerHTML) };
    };
    const inWorker = await drawn(page);
    // A webview without workers: the constructor is gone before the panel's script runs.
    const noWorker = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    try {
      await installVsCodeApiDouble(noWorker);
      await noWorker.addInitScript("delete window.Worker;");
      noWorker.on("pageerror", (e) => pageErrors.push(e.message));
      await noWorker.goto(server.url);
      await applyTheme(noWorker, "light");
      await settle(noWorker);
      const onPage = await drawn(noWorker);
      assert.deepEqual([inWorker.path, onPage.path], ["worker", "page"]);
      assert.equal(onPage.why, "this page cannot start Web Workers");
      assert.equal((onPage.svg.match(/class="node /g) ?? []).length, Math.min(entries.length, LINEAGE_MAX_NODES));
      assert.equal(onPage.svg, inWorker.svg, "the same picture either way");
    } finally {
      await noWorker.close();
    }
  });

  it("renders hostile agent text as text: no element, script, link or dialog comes of it", async () => {
    const hostile: PanelEntry[] = [
      "<img src=x onerror=alert(1)>",
      "<script>alert(2)</script>",
      "[click me](javascript:alert(3)) <a href=\"javascript:alert(4)\">link</a>",
      "<svg onload=alert(5)><iframe src=\"javascript:alert(6)\"></iframe>",
      `${"x".repeat(1024 * 1024 - 20)}<b>end</b>`,
    ].map((text, i) => ({ id: `n-x${i}`, kind: "note", author: "agent-1", generation: 9, title: i === 0 ? "<img src=x onerror=alert(7)>" : `hostile ${i}`, text, cites: ["javascript:alert(8)"], createdAt: new Date().toISOString(), archived: false }));
    const run = { ...accumulating.runData[0]!, caveats: ["<img src=x onerror=alert(9)>"] };
    await send(page, [{ ...snapshot(accumulating), run }, { type: "entries", entries: hostile, at: Date.now() }]);
    await page.click("#tab-feed");
    await settle(page);
    const feedText = (await page.textContent(".feed"))!;
    for (const t of ["<img src=x onerror=alert(1)>", "<script>alert(2)</script>", "[click me](javascript:alert(3))", '<a href="javascript:alert(4)">link</a>', "<svg onload=alert(5)>"]) assert.ok(feedText.includes(t), t);
    assert.ok(feedText.includes("more characters"), "the 1 MB text is cut for display");
    assert.equal(await page.textContent("#caveats"), "<img src=x onerror=alert(9)>");
    await applyTheme(page, "dark");
    await settle(page);
    await page.screenshot({ path: join(shots, "feed-hostile-dark.png") });
    await page.click("#tab-lineage");
    await settle(page);
    await page.waitForTimeout(300);
    const counts = await page.evaluate(() => ({
      img: document.querySelectorAll("img").length,
      scripts: document.querySelectorAll("script").length,
      iframes: document.querySelectorAll("iframe").length,
      links: document.querySelectorAll("a").length,
      handlers: Array.from(document.querySelectorAll("*")).filter((e) => Array.from(e.attributes).some((a) => a.name.startsWith("on"))).length,
    }));
    assert.deepEqual(counts, { img: 0, scripts: 1, iframes: 0, links: 0, handlers: 0 });
    assert.deepEqual(dialogs, []);
  });

  it("keeps the tab, range and figures across a reload, before the extension answers", async () => {
    await send(page, accumulating.live);
    await page.click("#tab-feed");
    await page.fill("#range-from", "2");
    await page.press("#range-from", "Enter");
    await page.click("#tab-charts");
    await settle(page);
    const before = await page.getAttribute("#chart-self-play", "data-points");
    assert.equal(before, `${accumulating.runData[0]!.summaries.filter((s) => s.generation >= 2).length},${accumulating.runData[0]!.summaries.filter((s) => s.generation >= 2).length}`);
    await page.reload();
    await applyTheme(page, "light");
    await settle(page);
    assert.equal(await page.getAttribute("#tab-charts", "aria-selected"), "true");
    assert.equal(await page.inputValue("#range-from"), "2");
    assert.equal(await page.getAttribute("#chart-self-play", "data-points"), before);
    assert.deepEqual(await posted(page), [{ type: "ready" }], "and asks for a snapshot");
  });

  it("loses no generation when hidden and re-shown mid-run (the page is destroyed; the extension sends a snapshot on becoming visible)", async () => {
    const live = accumulating.live;
    const half = live.findIndex((m, i) => i > live.length / 2 && m.type === "generation");
    await send(page, live.slice(0, half));
    const shown = live.slice(0, half).flatMap((m) => (m.type === "generation" ? [m.summary] : []));
    // Hidden: VS Code drops the page (no retainContextWhenHidden); generations keep arriving at the extension.
    await page.reload();
    await applyTheme(page, "light");
    await settle(page);
    const missed = live.slice(half).flatMap((m) => (m.type === "generation" ? [m.summary] : []));
    const soFar = [...shown, ...missed.slice(0, 1)];
    await send(page, [{ ...snapshot(accumulating), run: { ...accumulating.runData[0]!, summaries: soFar } }, ...live.slice(half).filter((m) => m.type !== "generation" || !soFar.includes(m.summary))]);
    const all = accumulating.runData[0]!.summaries.length;
    assert.equal(await page.getAttribute("#chart-self-play", "data-points"), `${all},${all}`);
    assert.match((await page.textContent("#run-line"))!, new RegExp(`: ${all} generations`));
  });

  it("compares two runs: overlays them on the charts and lists their configuration differences", async () => {
    await send(page, [snapshot(accumulating)]);
    await page.click("#tab-runs");
    await settle(page);
    await page.click(".runs-table tbody tr:not(.current) button:has-text('Compare')");
    const b = accumulating.runData[1]!;
    assert.deepEqual((await posted(page)).at(-1), { type: "compareRuns", runId: b.runId });
    await send(page, [{ type: "runData", run: b, role: "compare" }]);
    const diff = (await page.textContent(".diff-table"))!;
    assert.ok(diff.includes("knowledgeBaseAccess") && diff.includes("generations"), diff);
    await page.click("#tab-charts");
    await settle(page);
    const a = accumulating.runData[0]!.summaries.length;
    assert.equal(await page.getAttribute("#chart-self-play", "data-points"), `${a},${a},${b.summaries.length},${b.summaries.length}`);
    assert.ok((await page.textContent("#chart-held-out .u-legend"))!.includes("B: with KB"));
    await page.screenshot({ path: join(shots, "compare-light.png") });
    await page.click("#tab-runs");
    await settle(page);
    await page.click(".runs-table tbody tr.compared button:has-text('End comparison')");
    await settle(page);
    assert.deepEqual((await posted(page)).at(-1), { type: "compareRuns" });
    assert.equal(await page.locator(".diff-table").count(), 0);
    await page.click(".runs-table tbody tr:not(.current) button:has-text('Show')");
    assert.deepEqual((await posted(page)).at(-1), { type: "pickRun", runId: b.runId });
    await send(page, [{ type: "runData", run: b, role: "main" }]);
    assert.match((await page.textContent("#run-line"))!, new RegExp(`^Run ${b.runId}: ${b.summaries.length} generations$`));
    assert.match((await page.textContent("#verdict"))!, /^No measurable effect yet/, "the control run has no knowledge base to measure");
    // While another run is live, the panel offers to go back to it.
    assert.equal(await page.isVisible("#show-live"), false);
    await send(page, [{ type: "session", session: { phase: "running", runId: accumulating.runData[0]!.runId }, at: Date.now() }]);
    await page.click("#show-live");
    assert.deepEqual((await posted(page)).at(-1), { type: "pickRun", runId: accumulating.runData[0]!.runId });
  });

  it("exports every series as CSV and JSON through the extension, pauses live updates, and is usable from the keyboard", async () => {
    await send(page, accumulating.live);
    await page.click("#export-csv");
    await page.click("#export-json");
    const [csv, json] = (await posted(page)).filter((m) => m.type === "export").map((m) => parsePanelRequest(m));
    assert.ok(csv?.type === "export" && json?.type === "export");
    assert.equal(csv.content.trimEnd().split("\r\n").length, 1 + accumulating.runData[0]!.summaries.length);
    assert.deepEqual(JSON.parse(json.content).runs[0].generations, accumulating.runData[0]!.summaries);
    await page.click("#pause");
    assert.deepEqual((await posted(page)).at(-1), { type: "liveUpdates", paused: true });
    assert.equal(await page.textContent("#pause"), "Resume live updates");
    // Keyboard: focus the Charts tab, arrow to Lineage, Enter on a node.
    await page.focus("#tab-charts");
    await page.keyboard.press("ArrowRight");
    await settle(page);
    assert.equal(await page.evaluate(() => document.activeElement?.id), "tab-lineage");
    assert.equal(await page.getAttribute("#tab-lineage", "aria-selected"), "true");
  });

  it("exports the per-agent rows in the JSON though the snapshot left them out: the export asks for them and waits", async () => {
    const run = accumulating.runData[0]!;
    const { agents: _rows, ...withoutRows } = run;
    await send(page, [{ ...snapshot(accumulating), run: withoutRows }]);
    await page.click("#export-json");
    await settle(page);
    assert.deepEqual((await posted(page)).filter((m) => m.type === "agentRows" || m.type === "export"), [{ type: "agentRows", runId: run.runId }], "no export without the rows");
    await send(page, [{ type: "agentRows", runId: run.runId, agents: run.agents! }]);
    const exported = (await posted(page)).filter((m) => m.type === "export").map((m) => parsePanelRequest(m));
    assert.equal(exported.length, 1);
    assert.ok(exported[0]!.type === "export");
    assert.deepEqual(JSON.parse(exported[0]!.content).runs[0].agents, run.agents);
  });

  it("asks for the per-agent rows only when the Agents tab opens, then shows one agent's role history, solve rate and citations, and switches agent", async () => {
    const entries = entriesOf(accumulating);
    const run = accumulating.runData[0]!;
    const rows = run.agents!;
    // As the extension sends it: the snapshot without the per-agent rows.
    const { agents: _rows, ...withoutRows } = run;
    await send(page, [{ ...snapshot(accumulating, entries), run: withoutRows }]);
    for (const tab of ["lineage", "feed", "runs", "charts"]) {
      await page.click(`#tab-${tab}`);
      await settle(page);
    }
    assert.deepEqual((await posted(page)).filter((m) => m.type === "agentRows"), [], "no other tab asks for them");
    await page.click("#tab-agents");
    await settle(page);
    const asked = (await posted(page)).filter((m) => m.type === "agentRows");
    assert.deepEqual(asked, [{ type: "agentRows", runId: run.runId }]);
    assert.deepEqual(parsePanelRequest(asked[0]), asked[0], "a message the extension accepts");
    assert.equal(await page.textContent(".agents"), "Loading the per-agent figures…");
    await send(page, [{ type: "agentRows", runId: run.runId, agents: rows }]);
    const ids = [...new Set(rows.map((r) => r.agentId))].sort();
    assert.deepEqual(await page.locator("#agent-select option").allTextContents(), ids);
    for (const id of [ids[0]!, ids[1]!]) {
      await page.selectOption("#agent-select", id);
      await settle(page);
      const mine = rows.filter((r) => r.agentId === id);
      assert.equal(await page.locator(".agent-table tbody tr").count(), mine.length);
      assert.equal(await page.textContent(".agent-table tbody tr:first-child td:nth-child(2)"), mine[0]!.roles.join(", "));
      // FLOPs ≈ 2 × parameters × (prompt + completion tokens), per generation and in total, from the recorded calls.
      const estimate = (r: (typeof mine)[number]) => 2 * STATED_PARAMETERS * (r.promptTokens + r.completionTokens);
      assert.deepEqual(await page.locator(".agent-table tbody tr td:last-child").allTextContents(), mine.map((r) => estimate(r).toExponential(2)));
      const tokens = mine.reduce((n, r) => n + r.promptTokens + r.completionTokens, 0);
      assert.ok(tokens > 0);
      assert.equal(
        await page.textContent(".agent-flops"),
        `Estimated compute of ${id}: ${(2 * STATED_PARAMETERS * tokens).toExponential(2)} FLOPs ≈ 2 × 1,000,000 parameters × ${tokens.toLocaleString("en-US")} tokens (prompt + completion) — an upper estimate: prompt tokens reused from the agent's previous call are counted too.`,
      );
      const played = mine.filter((r) => r.attempts > 0);
      const solveRate = page.locator(".agents .plot canvas");
      assert.equal(await solveRate.count(), 1, `${played.length} generations with play`);
    }
    assert.equal(await page.inputValue("#agent-select"), ids[1]);
    await page.screenshot({ path: join(shots, "agents-light.png") });
    await page.click("#tab-feed");
    await settle(page);
    await page.screenshot({ path: join(shots, "feed-light.png") });
  });

  it("tells a mixed population's agents apart: the picker and the agent view name each agent's model", async () => {
    const run = accumulating.runData[0]!;
    const ids = [...new Set(run.agents!.map((r) => r.agentId))].sort();
    const modelOf = (id: string) => (id === ids[0] ? "qwen2.5-7b at http://gpu-box:8000/v1 (server)" : "tiny (local)");
    await send(page, [{ ...snapshot(accumulating), run: { ...run, agents: run.agents!.map((r) => ({ ...r, model: modelOf(r.agentId) })) } }]);
    await page.click("#tab-agents");
    await settle(page);
    assert.deepEqual(await page.locator("#agent-select option").allTextContents(), ids.map((id) => `${id} — ${modelOf(id)}`));
    await page.selectOption("#agent-select", ids[0]!);
    await settle(page);
    assert.equal(await page.textContent(".agent-model"), `Model: ${modelOf(ids[0]!)}`);
    await page.selectOption("#agent-select", ids[1]!);
    await settle(page);
    assert.equal(await page.textContent(".agent-model"), "Model: tiny (local)");
  });

  it("draws each generation as a live session commits it (scripted agents on the real loop, messages sent as they come)", async () => {
    const workspace = mkdtempSync(join(tmpdir(), "cl-panel-live-"));
    const sandbox = await Sandbox.create();
    try {
      const config = parseLoopConfig({ generations: 3, evaluation: { every: 1 } }, "the test");
      const key = await heldOutAnswerKey(sandbox, config);
      const seen: string[] = [];
      let sending = Promise.resolve();
      await runSession({
        workspaceDir: workspace,
        config,
        agents: scriptedAgentFactory(sandbox, key, { baseSkill: 0.15, skillPerNote: 0.3, maxSkill: 0.95 }),
        describeModel: describeTestDouble(),
        onGeneration: (summary) => {
          sending = sending.then(async () => {
            await send(page, [{ type: "generation", runId: "live", summary, agents: [], at: Date.now() }]);
            seen.push((await page.getAttribute("#chart-self-play", "data-points"))!);
          });
        },
      });
      await sending;
      assert.deepEqual(seen, ["1,1", "2,2", "3,3"], "one more point per committed generation");
      assert.match((await page.textContent("#verdict"))!, /^(Accumulating|No measurable effect yet): held-out gain/);
    } finally {
      sandbox.dispose();
      rmSync(workspace, { recursive: true, force: true });
    }
  });

  it("counts and tabulates every generation of a long run, and hovers on its true values, though fewer points are drawn", async () => {
    // 1,200 generations: the recorded summaries over and over, renumbered (the chart is about 500 px wide, so it
    // draws each series through its extremes per few pixels).
    const recorded = accumulating.runData[0]!.summaries;
    const summaries = Array.from({ length: 1200 }, (_, g) => ({ ...recorded[g % recorded.length]!, generation: g }));
    await send(page, [{ ...snapshot(accumulating), run: { ...accumulating.runData[0]!, summaries, agents: [] } }]);
    assert.equal(await page.getAttribute("#chart-self-play", "data-points"), "1200,1200");
    const evaluated = summaries.filter((s) => s.evaluation).length;
    assert.equal(await page.getAttribute("#chart-held-out", "data-points"), `${evaluated},${evaluated},${evaluated}`);
    await page.click("#chart-held-out summary");
    const rows = page.locator("#chart-held-out .values tbody tr");
    await rows.first().waitFor();
    assert.equal(await rows.count(), 1200);
    // Hover the middle of the plot: the legend names the generation under the cursor and that generation's value.
    const plot = page.locator("#chart-notes-diversity .u-over");
    const box = (await plot.boundingBox())!;
    for (const at of [0.37, 0.5, 0.81]) {
      await page.mouse.move(box.x + box.width * at, box.y + box.height / 2);
      const gen = Number(await page.textContent("#chart-notes-diversity .u-legend .u-series:first-child .u-value"));
      const shown = await page.textContent("#chart-notes-diversity .u-legend .u-series:nth-child(3) .u-value");
      const value = summaries[gen]!.metrics.distinct_2;
      assert.equal(shown, value === undefined ? "—" : Number.isInteger(value) ? String(value) : value.toFixed(3), `distinct-2 at gen ${gen}`);
    }
  });

  it("draws the charts without making an Intl formatter (45–100 ms of ICU loading before the first paint), and still formats on the Agents tab", async () => {
    const fresh = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    try {
      await installVsCodeApiDouble(fresh);
      // Counts every Intl.NumberFormat and DateTimeFormat the page makes, from before the panel's script loads.
      await fresh.addInitScript(`window.__intlMade = 0;
        for (const name of ["NumberFormat", "DateTimeFormat"]) {
          const Made = Intl[name];
          Intl[name] = new Proxy(Made, { construct(target, args) { window.__intlMade++; return Reflect.construct(target, args); }, apply(target, self, args) { window.__intlMade++; return Reflect.apply(target, self, args); } });
        }`);
      fresh.on("pageerror", (e) => pageErrors.push(e.message));
      await fresh.goto(server.url);
      await applyTheme(fresh, "light");
      await send(fresh, [snapshot(accumulating, entriesOf(accumulating))]);
      assert.ok((await fresh.locator("figure.chart canvas").count()) >= 4, "the charts in view are drawn");
      assert.equal(await fresh.evaluate(() => (window as unknown as { __intlMade: number }).__intlMade), 0);
      await fresh.click("#tab-agents");
      await fresh.locator(".agents .plot canvas").waitFor();
      assert.ok((await fresh.evaluate(() => (window as unknown as { __intlMade: number }).__intlMade)) >= 1, "uPlot's own number labels, made on first use");
    } finally {
      await fresh.close();
    }
  });

  it("fits the webview bundle (the panel, its lineage layout script and its stylesheet) in 150 KiB gzipped", () => {
    const size = [build.js, build.layoutJs, build.css].reduce((n, file) => n + gzipSync(readFileSync(file)).length, 0);
    assert.ok(size < 150 * 1024, `${(size / 1024).toFixed(1)} KiB`);
  });
});
