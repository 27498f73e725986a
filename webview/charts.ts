// Draws the chart grid with uPlot (canvas; hover shows every series' value in the legend). Charts are kept and fed
// with setData on live updates; they are rebuilt only when their series change (a new refusal reason, a compared
// run, a theme change). A long history is drawn through each series' extremes per few pixels (thinSeries.ts);
// the hover, the values table and data-points (points per series, what a test reads) use every value.
import uPlot from "uplot";
import type { GenerationSummary } from "../agents/report/runSummary";
import { CHARTS, chartColumns, type ChartSpec } from "./chartSpecs";
import { el, replace } from "./element";
import { readPalette, translucent, type Palette } from "./palette";
import { thinSeries, type Columns } from "./thinSeries";

interface Drawn {
  /** Made when the chart first comes into view (the first EAGER_CHARTS at once). */
  plot?: uPlot;
  make: (w: number) => uPlot;
  key: string;
  figure: HTMLElement;
  /** The values as a table, for the keyboard and screen readers (built only while open). */
  values: HTMLDetailsElement;
  labels: string[];
  /** Every value (hover, values table). */
  data: uPlot.AlignedData;
  /** What the canvas draws: `data` thinned to the chart's width. */
  drawn: uPlot.AlignedData;
  /** Series drawn as one band (kept at the same generations when thinned). */
  together: number[][];
  /** Input that arrived while the chart was off screen: its columns are built when it is seen (or its table opened). */
  stale?: ChartInput;
}

export interface ChartInput {
  main: { runId: string; summaries: GenerationSummary[] };
  compare?: { runId: string; summaries: GenerationSummary[] };
}

export class ChartGrid {
  readonly root = el("div", { class: "charts" });
  private readonly drawn = new Map<string, Drawn>();
  private palette: Palette | undefined;
  private readonly resize = new ResizeObserver(() => this.fit());
  /** Charts off screen are not redrawn on live updates (canvas drawing is most of an update's cost). */
  private readonly onScreen = new Set<Element>();
  private readonly visibility = new IntersectionObserver((changes) => {
    for (const c of changes) {
      if (c.isIntersecting) this.onScreen.add(c.target);
      else this.onScreen.delete(c.target);
    }
    let w: number | undefined;
    for (const [id, d] of this.drawn) {
      // Up to date: drawn from its latest columns (uPlot keeps the array it was given).
      if (!this.onScreen.has(d.figure) || (d.plot && !d.stale && d.plot.data === d.drawn)) continue;
      w ??= width(this.root);
      if (d.stale) this.catchUp(id, d, w);
      else d.drawn = thin(d.data, w, d.together);
      if (!d.plot) d.plot = d.make(w);
      else d.plot.setData(d.drawn);
    }
  });

  constructor() {
    this.resize.observe(this.root);
  }

  /** Forget the colours (the theme changed): every chart is rebuilt on the next update. */
  themeChanged(): void {
    this.palette = undefined;
    for (const d of this.drawn.values()) d.plot?.destroy();
    this.drawn.clear();
    this.onScreen.clear();
    this.visibility.disconnect();
    this.root.replaceChildren();
  }

  /** No run yet: say so instead of empty axes. */
  showEmpty(): void {
    this.themeChanged();
    this.root.append(el("p", { class: "empty-note" }, "The charts appear when the first generation of a run is committed."));
  }

  update(input: ChartInput): void {
    if (this.drawn.size === 0) this.root.replaceChildren();
    this.palette ??= readPalette();
    // Read once: reading a width after inserting a chart would lay the page out again for every chart.
    const w = width(this.root);
    for (const spec of CHARTS) this.updateChart(spec, input, this.palette, w);
  }

  private updateChart(spec: ChartSpec, input: ChartInput, palette: Palette, w: number): void {
    const { looks, bands } = looksOf(spec, input);
    const key = JSON.stringify([looks.map((l) => l.label), input.compare?.runId]);
    let d = this.drawn.get(spec.id);
    if (d && d.key !== key) {
      d.plot?.destroy();
      this.visibility.unobserve(d.figure);
      this.onScreen.delete(d.figure);
      d.figure.remove();
      d = undefined;
    }
    let points: number[];
    if (!d) {
      const together = bands.map(([high, low]) => [high - 1, low - 1]);
      const holder = el("div", { class: "plot" });
      const values = el("details", { class: "values" }, el("summary", {}, "Values"), el("div", { class: "table-scroll values-scroll" }));
      const figure = el("figure", { class: "chart", id: `chart-${spec.id}`, "aria-label": spec.title }, el("h3", {}, spec.title), holder, el("figcaption", {}, spec.caption), values);
      const before = CHARTS.slice(CHARTS.indexOf(spec) + 1).map((s) => this.drawn.get(s.id)?.figure).find(Boolean);
      this.root.insertBefore(figure, before ?? null);
      const opts = options(looks, bands, input.compare !== undefined, spec.zero === true, palette, w, () => drawn.data);
      // Columns are built when the chart is first drawn: the first frame builds only those in view.
      const drawn: Drawn = {
        key, figure, values, labels: looks.map((l) => l.label), data: [[]], drawn: [[]], together, stale: input,
        // A chart made later (scrolled into view) is sized to the grid's width then (its columns thinned to it).
        make: (now) => new uPlot({ ...opts, width: now }, drawn.drawn, holder),
      };
      if (CHARTS.indexOf(spec) < EAGER_CHARTS) {
        points = this.catchUp(spec.id, drawn, w);
        drawn.plot = drawn.make(w);
      } else points = countPoints(spec, input);
      values.addEventListener("toggle", () => {
        if (!values.open) return;
        this.catchUp(spec.id, drawn, width(this.root));
        valuesTable(drawn);
      });
      d = drawn;
      this.drawn.set(spec.id, d);
      this.visibility.observe(figure);
    } else if (this.onScreen.has(d.figure) || d.values.open) {
      d.stale = input;
      points = this.catchUp(spec.id, d, w);
      if (d.plot && this.onScreen.has(d.figure)) d.plot.setData(d.drawn);
      if (d.values.open) valuesTable(d);
    } else {
      // Off screen: only the counts (a test and a screen reader read them); the columns wait until it is seen.
      d.stale = input;
      points = countPoints(spec, input);
    }
    const shown = points.join(",");
    if (d.figure.dataset.points !== shown) d.figure.dataset.points = shown;
    d.figure.classList.toggle("empty", points.every((n) => n === 0));
  }

  /** Builds the columns of input that arrived while the chart was off screen; returns the points per series. */
  private catchUp(id: string, d: Drawn, w: number): number[] {
    const spec = CHARTS.find((s) => s.id === id)!;
    if (!d.stale) return d.data.slice(1).map((col) => countNonNull(col as (number | null)[]));
    const { data, points } = overlay(spec, d.stale);
    d.stale = undefined;
    d.data = data;
    d.drawn = thin(data, w, d.together);
    return points;
  }

  private fit(): void {
    const w = width(this.root);
    for (const d of this.drawn.values()) {
      if (!d.plot || Math.abs(d.plot.width - w) <= 2) continue;
      d.drawn = thin(d.data, w, d.together);
      d.plot.setData(d.drawn, false);
      d.plot.setSize({ width: w, height: HEIGHT });
    }
  }

  dispose(): void {
    this.resize.disconnect();
    this.visibility.disconnect();
    for (const d of this.drawn.values()) d.plot?.destroy();
    this.drawn.clear();
  }
}

const HEIGHT = 190;
/** Pixels of plot width per slice whose extremes are drawn (thinSeries): narrow enough that the envelope looks the same. */
const PX_PER_SLICE = 3;

/** The columns a chart `w` wide draws: each series' extremes per slice of its plot area (the axes take ~110 px). */
function thin(data: uPlot.AlignedData, w: number, together: number[][]): uPlot.AlignedData {
  return thinSeries(data as unknown as Columns, Math.max(1, Math.floor((w - 110) / PX_PER_SLICE)), together) as unknown as uPlot.AlignedData;
}
/** Charts made at once on first paint (the ones in view in a usual panel); the rest when scrolled to. */
const EAGER_CHARTS = 4;
/** Generations are whole numbers: ticks step by these only. */
export const GENERATION_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];

function width(root: HTMLElement): number {
  const w = root.clientWidth;
  // Two columns when there is room, as the stylesheet's grid does.
  const columns = w >= 900 ? 2 : 1;
  return Math.max(280, Math.floor((w - (columns - 1) * 16) / columns) - 2);
}

interface SeriesLook {
  label: string;
  right: boolean;
  dashed: boolean;
  /** Position within its own run's series: the colour. */
  colour: number;
  /** Edge of an interval band: drawn thin. */
  bandEdge: boolean;
}

/**
 * One run: x = generation. Two runs: x = generations since each run's start, so their curves line up, and every
 * series appears twice ("A: …" solid, "B: …" dashed).
 */
function overlay(spec: ChartSpec, input: ChartInput): { data: uPlot.AlignedData; points: number[] } {
  const runs = input.compare ? [input.main, input.compare] : [input.main];
  const columns = runs.map((r) => chartColumns(spec, r.summaries));
  if (!input.compare) {
    const ys = columns[0]!.ys; // one run: its generations are the x column already
    return { data: [columns[0]!.x, ...ys], points: ys.map(countNonNull) };
  }
  const xsPerRun = columns.map((c) => c.x.map((x) => x - (c.x[0] ?? 0)));
  const xs = [...new Set(xsPerRun.flat())].sort((p, q) => p - q);
  const ys: (number | null)[][] = [];
  columns.forEach((c, r) => {
    const at = xsPerRun[r]!;
    for (const col of c.ys) {
      const byX = new Map(at.map((x, j) => [x, col[j] ?? null]));
      ys.push(xs.map((x) => byX.get(x) ?? null));
    }
  });
  return { data: [xs, ...ys], points: ys.map(countNonNull) };
}

/** How each series looks (label, axis, dash, colour) and which pairs are bands; needs no column built. */
function looksOf(spec: ChartSpec, input: ChartInput): { looks: SeriesLook[]; bands: [number, number][] } {
  const runs = input.compare ? [input.main, input.compare] : [input.main];
  const looks: SeriesLook[] = [];
  const bands: [number, number][] = [];
  runs.forEach((run, r) => {
    const offset = looks.length;
    const series = spec.series(run.summaries);
    const prefix = input.compare ? (r === 0 ? "A: " : "B: ") : "";
    series.forEach((s, i) => looks.push({ label: prefix + s.label, right: s.right === true, dashed: r === 1, colour: i, bandEdge: spec.band?.includes(i) ?? false }));
    if (spec.band && series.length > Math.max(...spec.band)) bands.push([offset + spec.band[1] + 1, offset + spec.band[0] + 1]);
  });
  return { looks, bands };
}

function countNonNull(col: readonly (number | null)[]): number {
  let n = 0;
  for (const v of col) if (v !== null) n++;
  return n;
}

/** Points per series as overlay() counts them (a finite value per generation), without building columns. */
function countPoints(spec: ChartSpec, input: ChartInput): number[] {
  const runs = input.compare ? [input.main, input.compare] : [input.main];
  return runs.flatMap((r) =>
    spec.series(r.summaries).map((s) => {
      let n = 0;
      for (const g of r.summaries) {
        const v = s.pick(g);
        if (v !== undefined && Number.isFinite(v)) n++;
      }
      return n;
    }),
  );
}

function options(looks: SeriesLook[], bands: [number, number][], compare: boolean, zero: boolean, palette: Palette, w: number, full: () => uPlot.AlignedData): uPlot.Options {
  const axis = { stroke: palette.foreground, grid: { stroke: palette.lines, width: 1 }, ticks: { stroke: palette.lines, width: 1 } };
  const yAxis = { ...axis, size: 52, values: (_u: uPlot, splits: number[]) => splits.map(tick) };
  const colour = (i: number) => palette.series[i % palette.series.length]!;
  const opts: uPlot.Options = {
    width: w,
    height: HEIGHT,
    cursor: { drag: { x: false, y: false } },
    legend: { live: true },
    scales: { x: { time: false }, ...(zero ? { y: { range: withZero } } : {}) },
    series: [
      { label: compare ? "gen since start" : "gen", value: (_u, v) => (v === null ? "—" : String(v)) },
      ...looks.map((s) => ({
        label: s.label,
        scale: s.right ? "right" : "y",
        stroke: colour(s.colour),
        width: s.bandEdge ? 1 : 2,
        dash: s.dashed ? [6, 4] : s.bandEdge ? [2, 3] : undefined,
        spanGaps: true,
        // The hovered generation's own value, also where the drawn line skips it (thinned).
        value: (_u: uPlot, _drawn: number | null, series: number, idx: number | null) => {
          const v = idx === null ? null : full()[series]?.[idx];
          return v === null || v === undefined ? "—" : format(v);
        },
      })),
    ],
    axes: [
      // Its own labels, as every axis and legend value here: uPlot's default would make the page's first Intl
      // formatter, 45–100 ms before the first paint (see webview/build/lazyIntlPlugin.mjs).
      { ...axis, incrs: GENERATION_STEPS, values: (_u: uPlot, splits: number[]) => splits.map(generationTick) },
      { ...yAxis, scale: "y" },
      ...(looks.some((s) => s.right) ? [{ ...yAxis, scale: "right", side: 1 as const, grid: { show: false } }] : []),
    ],
  };
  if (bands.length > 0) opts.bands = bands.map(([high, low]) => ({ series: [high, low] as [number, number], fill: translucent(colour(looks[low - 1]!.colour), 0.2) }));
  return opts;
}

function valuesTable(d: Drawn): void {
  const [x, ...ys] = d.data;
  const head = el("tr", {}, el("th", { scope: "col" }, "gen"), ...d.labels.map((l) => el("th", { scope: "col" }, l)));
  const rows = Array.from(x, (gen, i) => el("tr", {}, el("th", { scope: "row" }, gen), ...ys.map((col) => el("td", {}, col[i] == null ? "—" : format(col[i] as number)))));
  const table = el("table", {}, el("thead", {}, head), el("tbody", {}, ...rows));
  replace(d.values.lastElementChild!, table);
}

function withZero(_u: uPlot, min: number | null, max: number | null): [number, number] {
  const lo = Math.min(0, min ?? 0);
  const hi = Math.max(0, max ?? 0);
  const pad = (hi - lo) * 0.08 || 0.1;
  return [lo - pad, hi + pad];
}

/** Axis ticks: short (12k, 1.5M) so large counts fit the axis. */
function tick(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${+(v / 1e9).toFixed(1)}G`;
  if (a >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toFixed(1)}k`;
  return String(+v.toFixed(3));
}

/** A generation on the x axis: a whole number with thousands grouped (1,000), as uPlot's default drew it. */
export function generationTick(v: number): string {
  return String(Math.round(v)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function format(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return v.toExponential(2);
  if (a >= 100 || Number.isInteger(v)) return String(Math.round(v * 10) / 10);
  return v.toFixed(3);
}
