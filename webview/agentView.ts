// The per-agent view: pick an agent and see its role history, solve rate and compute per generation, the notes it
// wrote and what it cited. Figures come from the run's call records and attempts (AgentGeneration rows).
import uPlot from "uplot";
import { GENERATION_STEPS } from "./charts";
import { el, replace } from "./element";
import { readPalette } from "./palette";
import type { AgentGeneration, PanelEntry } from "./protocol";

export interface AgentRow extends AgentGeneration {
  notesWritten: number;
}

/** One row per generation the agent played, with the notes (and chapters, problems) it wrote that generation. */
export function agentHistory(agentId: string, rows: readonly AgentGeneration[], entries: readonly PanelEntry[]): AgentRow[] {
  const written = new Map<number, number>();
  for (const e of entries) if (e.author === agentId) written.set(e.generation, (written.get(e.generation) ?? 0) + 1);
  return rows
    .filter((r) => r.agentId === agentId)
    .sort((a, b) => a.generation - b.generation)
    .map((r) => ({ ...r, notesWritten: written.get(r.generation) ?? 0 }));
}

/** Entries the agent's writings cite, most cited first. */
export function agentCitations(agentId: string, entries: readonly PanelEntry[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const e of entries) if (e.author === agentId) for (const c of e.cites) counts.set(c, (counts.get(c) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/**
 * The agent's estimated compute in one line, with the formula behind it: FLOPs ≈ 2 × parameters × tokens processed
 * (prompt + completion), the forward-pass rule of thumb; prompt tokens are counted in full, so it is an upper estimate.
 */
export function flopsLine(agent: string, history: readonly AgentGeneration[], modelParameters: number | undefined): string {
  if (modelParameters === undefined || history.some((r) => r.flops === undefined)) {
    return "FLOPs not estimated: the run's manifest gives no parameter count for its model.";
  }
  const tokens = history.reduce((n, r) => n + r.promptTokens + r.completionTokens, 0);
  const flops = history.reduce((n, r) => n + r.flops!, 0);
  return (
    `Estimated compute of ${agent}: ${flops.toExponential(2)} FLOPs ≈ 2 × ${modelParameters.toLocaleString("en-US")} parameters × ` +
    `${tokens.toLocaleString("en-US")} tokens (prompt + completion) — an upper estimate: prompt tokens reused from the agent's previous call are counted too.`
  );
}

export class AgentView {
  readonly root = el("div", { class: "agents" });
  private plot: uPlot | undefined;

  constructor(
    private readonly pick: (agent: string) => void,
    private readonly open: (id: string) => void,
  ) {}

  /** The rows were asked for and have not come yet. */
  loading(): void {
    this.plot?.destroy();
    this.plot = undefined;
    replace(this.root, el("p", { class: "empty-note", "aria-busy": "true" }, "Loading the per-agent figures…"));
  }

  update(rows: readonly AgentGeneration[], entries: readonly PanelEntry[], selected: string | undefined, modelParameters?: number): void {
    this.plot?.destroy();
    this.plot = undefined;
    const ids = [...new Set(rows.map((r) => r.agentId))].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
    if (ids.length === 0) {
      replace(this.root, el("p", { class: "empty-note" }, "No per-agent figures for this run yet."));
      return;
    }
    const agent = selected && ids.includes(selected) ? selected : ids[0]!;
    // A mixed population's agents run on different models: the picker and the view say which.
    const modelOf = new Map(rows.filter((r) => r.model !== undefined).map((r) => [r.agentId, r.model!]));
    const select = el("select", { id: "agent-select", "aria-label": "Agent" }, ...ids.map((id) => el("option", { value: id, selected: id === agent }, modelOf.has(id) ? `${id} — ${modelOf.get(id)}` : id)));
    select.addEventListener("change", () => this.pick(select.value));
    const history = agentHistory(agent, rows, entries);
    const citations = agentCitations(agent, entries);
    const table = el(
      "table",
      { class: "agent-table" },
      el("thead", {}, el("tr", {}, ...["gen", "roles", "calls", "prompt tokens", "completion tokens", "attempts", "solved", "solve rate", "written", "FLOPs (est.)"].map((h) => el("th", { scope: "col" }, h)))),
      el(
        "tbody",
        {},
        ...history.map((r) =>
          el(
            "tr",
            {},
            el("td", {}, r.generation),
            el("td", { class: "text" }, r.roles.join(", ")),
            el("td", {}, r.calls),
            el("td", {}, r.promptTokens),
            el("td", {}, r.completionTokens),
            el("td", {}, r.attempts),
            el("td", {}, r.solved),
            el("td", {}, r.attempts > 0 ? (r.solved / r.attempts).toFixed(2) : "—"),
            el("td", {}, r.notesWritten),
            el("td", {}, r.flops === undefined ? "—" : r.flops.toExponential(2)),
          ),
        ),
      ),
    );
    const holder = el("div", { class: "plot" });
    const cites = el(
      "p",
      { class: "agent-cites" },
      citations.length === 0 ? "Cited nothing in the entries shown." : "Cited: ",
      ...citations.slice(0, 30).flatMap(([id, n], i) => {
        const b = el("button", { type: "button", class: "link" }, id);
        b.addEventListener("click", () => this.open(id));
        return [i > 0 ? ", " : "", b, n > 1 ? ` ×${n}` : ""];
      }),
    );
    const compute = el("p", { class: "agent-flops" }, flopsLine(agent, history, modelParameters));
    const model = modelOf.has(agent) ? [el("p", { class: "agent-model" }, `Model: ${modelOf.get(agent)}`)] : [];
    replace(this.root, el("label", { for: "agent-select" }, "Agent "), select, ...model, el("h3", {}, "Solve rate in play, per generation"), holder, cites, compute, el("div", { class: "table-scroll" }, table));
    const palette = readPalette();
    const axis = { stroke: palette.foreground, grid: { stroke: palette.lines, width: 1 }, ticks: { stroke: palette.lines, width: 1 } };
    this.plot = new uPlot(
      {
        width: Math.max(280, Math.min(700, this.root.clientWidth - 4)),
        height: 160,
        scales: { x: { time: false }, y: { range: [0, 1] } },
        series: [{ label: "gen" }, { label: `${agent} solve rate`, stroke: palette.series[0], width: 2, spanGaps: true }],
        axes: [{ ...axis, incrs: GENERATION_STEPS }, axis],
      },
      [history.map((r) => r.generation), history.map((r) => (r.attempts > 0 ? r.solved / r.attempts : null))],
      holder,
    );
  }
}
