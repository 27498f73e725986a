// The lineage graph: who built on whom. The newest entries (notes, chapters, problems, human notes) laid out as a DAG
// with dagre, an edge from each cited entry to the one citing it; coloured by author, sized by how often cited,
// archived entries drawn as ghosts. Nodes are focusable; click, Enter or Space opens the entry in NOTES.md.
// dagre's layout runs in a Web Worker (lineageLayoutClient.ts); this file only draws what it answers.
import { el, replace, svg } from "./element";
import type { LayoutPath, LineageLayoutClient } from "./lineageLayoutClient";
import type { LayoutResult } from "./lineageLayoutWire";
import { colourFor, readPalette } from "./palette";
import type { PanelEntry } from "./protocol";

/** Layout cost grows quickly with nodes; the graph shows this many of the newest entries. */
export const LINEAGE_MAX_NODES = 120;
const LAYOUT_EVERY_MS = 2000;

export interface LineageNode {
  entry: PanelEntry;
  cited: number;
}

/** The nodes and edges the graph draws, newest LINEAGE_MAX_NODES entries; citations to older entries are left out. */
export function lineageGraph(entries: readonly PanelEntry[]): { nodes: LineageNode[]; edges: [string, string][] } {
  const shown = entries.slice(-LINEAGE_MAX_NODES);
  const ids = new Set(shown.map((e) => e.id));
  const cited = new Map<string, number>();
  for (const e of entries) for (const c of e.cites) cited.set(c, (cited.get(c) ?? 0) + 1);
  const edges: [string, string][] = [];
  for (const e of shown) for (const c of new Set(e.cites)) if (ids.has(c) && c !== e.id) edges.push([c, e.id]);
  return { nodes: shown.map((entry) => ({ entry, cited: cited.get(entry.id) ?? 0 })), edges };
}

const radius = (n: LineageNode) => 6 + 2.5 * Math.sqrt(n.cited);

const KIND_SHAPE: Record<PanelEntry["kind"], string> = { note: "note", chapter: "chapter", problem: "problem", human: "human note" };

export class LineageView {
  readonly root = el("div", { class: "lineage" });
  private key = "";
  private laidOutAt = Number.NEGATIVE_INFINITY;
  private deferred: ReturnType<typeof setTimeout> | undefined;

  /** Counts layouts asked for: only the newest one's answer is drawn. */
  private jobs = 0;

  constructor(
    private readonly open: (id: string) => void,
    private readonly layout: LineageLayoutClient,
  ) {}

  /** Lays the graph out again at most every LAYOUT_EVERY_MS during a live run; the latest entries win. */
  update(entries: readonly PanelEntry[]): void {
    clearTimeout(this.deferred);
    const wait = this.laidOutAt + LAYOUT_EVERY_MS - performance.now();
    if (wait > 0) {
      this.deferred = setTimeout(() => this.update(entries), wait);
      return;
    }
    this.draw(entries);
  }

  private draw(entries: readonly PanelEntry[]): void {
    const key = entries.length === 0 ? "" : `${entries.length}:${entries.at(-1)!.id}:${entries.filter((e) => e.archived).length}`;
    if (key === this.key) return;
    this.key = key;
    this.laidOutAt = performance.now();
    const { nodes, edges } = lineageGraph(entries);
    const job = ++this.jobs;
    if (nodes.length === 0) {
      replace(this.root, el("p", { class: "empty-note" }, "No entries yet: the graph fills as agents write notes that cite each other."));
      return;
    }
    this.layout.layOut({ nodes: nodes.map((n) => ({ id: n.entry.id, radius: radius(n) })), edges }).then(
      ({ result, path, ms }) => {
        // A newer graph was asked for meanwhile: it will be drawn instead.
        if (job !== this.jobs) return;
        performance.measure("panel:lineage:layout", { start: performance.now() - ms, duration: ms });
        this.render(nodes, edges, result, path);
      },
      (error: unknown) => {
        if (job !== this.jobs) return;
        this.key = ""; // try again with the next update
        replace(this.root, el("p", { class: "empty-note" }, `The lineage graph could not be laid out: ${error instanceof Error ? error.message : String(error)}`));
      },
    );
  }

  private render(nodes: LineageNode[], edges: [string, string][], layout: LayoutResult, path: LayoutPath): void {
    performance.mark("panel:lineage:start");
    const palette = readPalette();
    const { width, height } = layout;
    const picture = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "group", "aria-label": `Lineage of the newest ${nodes.length} entries` });
    // All edges in one path element: one node to style and lay out instead of one per edge.
    const edgeLayer = svg("path", { class: "edges", d: layout.edgePath });
    const nodeLayer = svg("g", { class: "nodes" });
    for (const n of nodes) {
      const pos = layout.at[n.entry.id]!;
      const e = n.entry;
      const label = `${KIND_SHAPE[e.kind]} ${e.id} by ${e.author}, gen ${e.generation}, cited ${n.cited} time${n.cited === 1 ? "" : "s"}${e.archived ? ", archived" : ""}: ${e.title.slice(0, 200)}`;
      const colour = colourFor(e.author, palette);
      const shape =
        e.kind === "note" || e.kind === "human"
          ? svg("circle", { cx: pos.x, cy: pos.y, r: radius(n), fill: colour, stroke: colour })
          : svg("rect", { x: pos.x - radius(n), y: pos.y - radius(n), width: 2 * radius(n), height: 2 * radius(n), rx: e.kind === "chapter" ? 2 : 0, fill: colour, stroke: colour, transform: e.kind === "problem" ? `rotate(45 ${pos.x} ${pos.y})` : undefined });
      const node = svg("g", { class: `node kind-${e.kind}${e.archived ? " ghost" : ""}`, tabindex: 0, role: "button", "aria-label": label, "data-id": e.id }, svg("title", {}, label), shape);
      node.addEventListener("click", () => this.open(e.id));
      node.addEventListener("keydown", (ev) => {
        if (ev.key === "Enter" || ev.key === " ") {
          ev.preventDefault();
          this.open(e.id);
        }
      });
      nodeLayer.appendChild(node);
    }
    picture.append(edgeLayer, nodeLayer);
    const authors = [...new Set(nodes.map((n) => n.entry.author))].sort();
    const legend = el(
      "ul",
      { class: "legend", "aria-label": "Authors" },
      ...authors.map((a) => {
        const swatch = svg("svg", { width: 10, height: 10, "aria-hidden": "true" }, svg("circle", { cx: 5, cy: 5, r: 5, fill: colourFor(a, palette) }));
        return el("li", {}, swatch, ` ${a}`);
      }),
    );
    performance.measure("panel:lineage:draw", "panel:lineage:start");
    performance.clearMarks("panel:lineage:start");
    // Which path laid it out (the browser test reads it; a fallback says why).
    this.root.dataset.layout = path;
    if (path === "page" && this.layout.fallbackReason) this.root.dataset.layoutWhy = this.layout.fallbackReason;
    replace(
      this.root,
      el("p", { class: "hint" }, `The newest ${nodes.length} entries; a line joins an entry to one below it that cites it. Circles: notes; squares: chapters; diamonds: problems; faded: archived. Larger means cited more. Click or press Enter to open the entry in NOTES.md.`),
      legend,
      el("div", { class: "lineage-scroll" }, picture),
    );
  }

  themeChanged(): void {
    this.key = "";
    this.laidOutAt = Number.NEGATIVE_INFINITY;
  }

  /** Stop a deferred layout (the tab was left). */
  hidden(): void {
    clearTimeout(this.deferred);
  }
}
