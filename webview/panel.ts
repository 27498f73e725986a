// The metrics panel's page: keeps a PanelState (panelState.ts), changed only by messages from the extension and the
// user's actions, and draws it — the verdict strip, the controls and the active tab — at most once per frame.
// State survives hiding and reloads through the webview's getState/setState; the extension sends a snapshot on
// `ready`. Runs in the webview with DOM types only.
import { AgentView } from "./agentView";
import { ChartGrid } from "./charts";
import { el, replace, setText } from "./element";
import { seriesCsv, seriesJson } from "./exportSeries";
import { FeedView } from "./feed";
import { LineageView } from "./lineage";
import { LineageLayoutClient } from "./lineageLayoutClient";
import { LAYOUT_SCRIPT } from "./lineageLayoutWire";
import { fromPersisted, inRange, reduce, TABS, toPersisted, type PanelAction, type PanelState, type Tab } from "./panelState";
import type { FromPanel, RunData, ToPanel } from "./protocol";
import { RunsView } from "./runsView";
import { sessionLine, verdict } from "./verdict";

interface VsCodeApi {
  postMessage(message: FromPanel): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const TAB_LABEL: Record<Tab, string> = { charts: "Charts", lineage: "Lineage", feed: "Feed", agents: "Agents", runs: "Runs" };
// Read while this script runs (currentScript is null later): the layout script sits beside it and loads with its nonce.
const thisScript = document.currentScript as HTMLScriptElement | null;
const layoutScriptUrl = new URL(LAYOUT_SCRIPT, thisScript?.src ?? location.href).href;
const pageNonce = thisScript?.nonce ?? "";

const TO_PANEL_TYPES = new Set<string>(["snapshot", "generation", "entries", "session", "runData", "agentRows"]);

function start(): void {
  // Marks for bench:panel's first-paint breakdown (kept: draw() clears only its own).
  performance.mark("panel:start");
  const host = acquireVsCodeApi();
  let state: PanelState = fromPersisted(host.getState());
  const post = (m: FromPanel) => host.postMessage(m);
  const open = (id: string) => post({ type: "openEntry", id });

  const charts = new ChartGrid();
  const lineage = new LineageView(open, new LineageLayoutClient(layoutScriptUrl, pageNonce));
  const feed = new FeedView(open);
  const agents = new AgentView((agent) => dispatch({ type: "ui.agent", agent }), open);
  const runs = new RunsView({
    pick: (runId) => post({ type: "pickRun", runId }),
    compare: (runId) => {
      if (runId === undefined) dispatch({ type: "ui.endCompare" });
      post({ type: "compareRuns", runId });
    },
  });

  // ── the page's fixed parts ──
  const accumulation = el("p", { id: "verdict", class: "verdict-line", "aria-live": "polite" });
  const alarm = el("div", { id: "alarm", class: "alarm", role: "alert", hidden: true });
  const pastAlarm = el("p", { id: "past-alarm", class: "past-alarm", hidden: true });
  const session = el("p", { id: "session", class: "session-line" });
  const caveats = el("ul", { id: "caveats", class: "caveats" });
  const runLine = el("p", { id: "run-line", class: "run-line" });
  const backToLive = el("button", { type: "button", id: "show-live", class: "link", hidden: true }, "Show the live run");
  backToLive.addEventListener("click", () => state.session.runId && post({ type: "pickRun", runId: state.session.runId }));
  const strip = el("header", { class: "strip", "aria-label": "Verdict" }, accumulation, alarm, pastAlarm, session, el("div", { class: "run-row" }, runLine, backToLive), caveats);

  const pause = el("button", { type: "button", id: "pause", "aria-pressed": "false" }, "Pause live updates");
  pause.addEventListener("click", () => {
    const paused = !state.paused;
    dispatch({ type: "ui.paused", paused });
    post({ type: "liveUpdates", paused });
  });
  const from = el("input", { type: "number", id: "range-from", min: 0, step: 1, inputmode: "numeric", placeholder: "first" });
  const to = el("input", { type: "number", id: "range-to", min: 0, step: 1, inputmode: "numeric", placeholder: "last" });
  const onRange = () => dispatch({ type: "ui.range", range: { from: numberOrUndefined(from.value), to: numberOrUndefined(to.value) } });
  from.addEventListener("change", onRange);
  to.addEventListener("change", onRange);
  const exportCsv = el("button", { type: "button", id: "export-csv" }, "Export CSV");
  const exportJson = el("button", { type: "button", id: "export-json" }, "Export JSON");
  const shownRuns = (): RunData[] => [state.run, state.compare].filter((r): r is RunData => r !== undefined);
  const exportName = (ext: string) => `culture-lab-${shownRuns().map((r) => r.runId).join("-vs-") || "empty"}.${ext}`;
  exportCsv.addEventListener("click", () => post({ type: "export", format: "csv", fileName: exportName("csv"), content: seriesCsv(shownRuns()) }));
  const exportJsonNow = () => post({ type: "export", format: "json", fileName: exportName("json"), content: seriesJson(shownRuns()) });
  // The JSON carries the per-agent rows: when the snapshot left them out, they are asked for and the export waits.
  let jsonExportWaits = false;
  exportJson.addEventListener("click", () => {
    if (state.run && !state.run.agents) {
      jsonExportWaits = true;
      askAgentRows(state.run.runId);
    } else exportJsonNow();
  });
  // Asked once per run shown (a new snapshot or run clears it): the answer comes as an `agentRows` message.
  let agentRowsAsked: string | undefined;
  function askAgentRows(runId: string): void {
    if (agentRowsAsked === runId) return;
    agentRowsAsked = runId;
    post({ type: "agentRows", runId });
  }
  const controls = el(
    "div",
    { class: "controls", role: "toolbar", "aria-label": "Panel controls" },
    pause,
    el("span", { class: "range" }, el("label", { for: "range-from" }, "Generations from "), from, el("label", { for: "range-to" }, " to "), to),
    exportCsv,
    exportJson,
  );

  const tabButtons = TABS.map((t) => {
    const b = el("button", { type: "button", role: "tab", id: `tab-${t}`, "aria-controls": `panel-${t}` }, TAB_LABEL[t]);
    b.addEventListener("click", () => dispatch({ type: "ui.tab", tab: t }));
    b.addEventListener("keydown", (ev) => {
      const step = ev.key === "ArrowRight" ? 1 : ev.key === "ArrowLeft" ? -1 : 0;
      if (step === 0) return;
      const next = TABS[(TABS.indexOf(t) + step + TABS.length) % TABS.length]!;
      dispatch({ type: "ui.tab", tab: next });
      document.getElementById(`tab-${next}`)?.focus();
    });
    return b;
  });
  const tabList = el("nav", { role: "tablist", "aria-label": "Views" }, ...tabButtons);
  const views: Record<Tab, HTMLElement> = { charts: charts.root, lineage: lineage.root, feed: feed.root, agents: agents.root, runs: runs.root };
  const sections = TABS.map((t) => el("section", { role: "tabpanel", id: `panel-${t}`, "aria-labelledby": `tab-${t}`, tabindex: 0 }, views[t]));
  const main = document.getElementById("panel") ?? document.body.appendChild(el("main", { id: "panel" }));
  replace(main, strip, controls, tabList, ...sections);

  // ── drawing ──
  let frame = 0;
  let shownCaveats = "[]";
  function dispatch(message: ToPanel | PanelAction): void {
    state = reduce(state, message);
    if (message.type === "snapshot" || message.type === "runData") agentRowsAsked = undefined;
    if (message.type === "agentRows" && jsonExportWaits && state.run?.agents) {
      jsonExportWaits = false;
      exportJsonNow();
    }
    if (frame === 0) frame = requestAnimationFrame(draw);
  }

  // Saving serialises the shown run's figures: done at most once a second, and when the page goes away.
  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  const save = () => {
    clearTimeout(saveTimer);
    saveTimer = undefined;
    host.setState(toPersisted(state));
  };
  window.addEventListener("pagehide", save);
  document.addEventListener("visibilitychange", () => document.visibilityState === "hidden" && save());

  function draw(): void {
    frame = 0;
    performance.mark("panel:draw:start");
    saveTimer ??= setTimeout(save, 1000);
    const summaries = state.run?.summaries ?? [];
    const v = verdict(summaries);
    setText(accumulation, v.accumulation);
    alarm.hidden = v.alarm === undefined;
    setText(alarm, v.alarm ?? "");
    pastAlarm.hidden = v.pastAlarm === undefined;
    setText(pastAlarm, v.pastAlarm ?? "");
    drawSession();
    setText(
      runLine,
      state.run
        ? `Run ${state.run.runId}: ${summaries.length} generation${summaries.length === 1 ? "" : "s"}${state.compare ? ` · compared with ${state.compare.runId} (dashed)` : ""}`
        : "No run to show yet.",
    );
    const live = state.session.runId !== undefined && ["starting", "running", "paused"].includes(state.session.phase);
    backToLive.hidden = !live || state.run?.runId === state.session.runId;
    const caveatKey = JSON.stringify(state.run?.caveats ?? []);
    if (caveatKey !== shownCaveats) {
      shownCaveats = caveatKey;
      replace(caveats, ...(state.run?.caveats ?? []).map((c) => el("li", {}, c)));
    }
    setText(pause, state.paused ? "Resume live updates" : "Pause live updates");
    pause.setAttribute("aria-pressed", String(state.paused));
    if (document.activeElement !== from) from.value = state.range.from === undefined ? "" : String(state.range.from);
    if (document.activeElement !== to) to.value = state.range.to === undefined ? "" : String(state.range.to);
    exportCsv.disabled = exportJson.disabled = !state.run;
    TABS.forEach((t, i) => {
      const active = t === state.tab;
      tabButtons[i]!.setAttribute("aria-selected", String(active));
      tabButtons[i]!.tabIndex = active ? 0 : -1;
      sections[i]!.hidden = !active;
    });
    performance.mark("panel:tab:start");
    if (state.tab !== "lineage") lineage.hidden();
    // Only the visible tab is drawn; a tab catches up when it is shown.
    switch (state.tab) {
      case "charts":
        if (!state.run || state.run.summaries.length === 0) charts.showEmpty();
        else {
          charts.update({
            main: { runId: state.run.runId, summaries: inRange(summaries, state.range) },
            compare: state.compare && { runId: state.compare.runId, summaries: inRange(state.compare.summaries, state.range) },
          });
        }
        break;
      case "lineage":
        lineage.update(state.entries);
        break;
      case "feed":
        feed.update(state.entries);
        break;
      case "agents":
        // The snapshot leaves the per-agent rows out (most of a long run's figures): asked for when this tab opens.
        if (state.run && !state.run.agents) {
          askAgentRows(state.run.runId);
          agents.loading();
        } else agents.update(state.run?.agents ?? [], state.entries, state.agent, state.run?.modelParameters);
        break;
      case "runs":
        runs.update(state.runs, state.run, state.compare);
        break;
    }
    main.dataset.drawn = String(Number(main.dataset.drawn ?? 0) + 1);
    // Timings for the benchmark (performance.getEntriesByType("measure")), bounded over a long session.
    performance.measure("panel:strip", "panel:draw:start", "panel:tab:start");
    performance.measure(`panel:tab:${state.tab}`, "panel:tab:start");
    performance.clearMarks("panel:draw:start");
    performance.clearMarks("panel:tab:start");
    if (performance.getEntriesByType("measure").length > 1000) performance.clearMeasures();
  }

  function drawSession(): void {
    setText(session, sessionLine(state.session, state.lastEventAt, Date.now()));
  }

  window.addEventListener("message", (event: MessageEvent) => {
    const data = event.data as { type?: unknown } | null;
    if (!data || typeof data.type !== "string" || !TO_PANEL_TYPES.has(data.type)) return;
    if (data.type === "snapshot") performance.mark("panel:snapshot");
    dispatch(data as ToPanel);
  });
  // "last event 3 s ago" keeps counting while nothing arrives, so a stalled run shows.
  setInterval(drawSession, 1000);
  // VS Code changes the body's class (vscode-light, vscode-dark, vscode-high-contrast) when the theme changes.
  const themeWatch = new MutationObserver(() => {
    charts.themeChanged();
    lineage.themeChanged();
    if (frame === 0) frame = requestAnimationFrame(draw);
  });
  themeWatch.observe(document.body, { attributes: true, attributeFilter: ["class"] });
  themeWatch.observe(document.documentElement, { attributes: true, attributeFilter: ["style", "class"] });

  performance.mark("panel:built");
  draw();
  performance.mark("panel:ready");
  post({ type: "ready" });
}

function numberOrUndefined(text: string): number | undefined {
  const n = Number(text);
  return text.trim() === "" || !Number.isFinite(n) ? undefined : n;
}

start();
