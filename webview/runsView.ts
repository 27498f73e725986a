// Runs of this workspace: show any past run, overlay a second one on every chart, and see how their configurations
// differ.
import { el, replace } from "./element";
import type { RunData, RunListing } from "./protocol";

/** Configuration fields (flattened as "sampling.temperature") whose values differ between two runs. */
export function configDifferences(a: unknown, b: unknown): { key: string; a: string; b: string }[] {
  const fa = flatten(a);
  const fb = flatten(b);
  const keys = [...new Set([...Object.keys(fa), ...Object.keys(fb)])].sort();
  return keys.filter((k) => fa[k] !== fb[k]).map((k) => ({ key: k, a: fa[k] ?? "(absent)", b: fb[k] ?? "(absent)" }));
}

function flatten(value: unknown, prefix = "", out: Record<string, string> = {}): Record<string, string> {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out[prefix] = JSON.stringify(value) ?? "undefined";
  }
  return out;
}

export interface RunsActions {
  pick: (runId: string) => void;
  compare: (runId: string | undefined) => void;
}

export class RunsView {
  readonly root = el("div", { class: "runs" });

  constructor(private readonly actions: RunsActions) {}

  update(runs: readonly RunListing[], shown: RunData | undefined, compare: RunData | undefined): void {
    if (runs.length === 0) {
      replace(this.root, el("p", { class: "empty-note" }, "No run recorded in this workspace yet."));
      return;
    }
    const rows = [...runs].reverse().map((r) => {
      const isShown = r.runId === shown?.runId;
      const isCompared = r.runId === compare?.runId;
      const show = el("button", { type: "button", disabled: isShown }, isShown ? "shown" : "Show");
      show.addEventListener("click", () => this.actions.pick(r.runId));
      const cmp = el("button", { type: "button", disabled: isShown }, isCompared ? "End comparison" : "Compare");
      cmp.addEventListener("click", () => this.actions.compare(isCompared ? undefined : r.runId));
      return el("tr", { class: isShown ? "current" : isCompared ? "compared" : "" }, el("td", { class: "text" }, r.runId), el("td", { class: "text" }, r.startedAt), el("td", { class: "text" }, r.model), el("td", {}, r.generations), el("td", { class: "text" }, r.verdict ?? ""), el("td", {}, show, " ", cmp));
    });
    const table = el(
      "table",
      { class: "runs-table" },
      el("thead", {}, el("tr", {}, ...["run", "started", "model", "generations", "verdict", ""].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, ...rows),
    );
    const parts: Node[] = [el("div", { class: "table-scroll" }, table)];
    if (shown && compare) {
      const a = shown.config ?? runs.find((r) => r.runId === shown.runId)?.config;
      const b = compare.config ?? runs.find((r) => r.runId === compare.runId)?.config;
      const diff = configDifferences(a, b);
      parts.push(
        el("h3", {}, `Configuration: A ${shown.runId} against B ${compare.runId}`),
        diff.length === 0
          ? el("p", {}, "The two runs have the same configuration.")
          : el(
              "table",
              { class: "diff-table" },
              el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "setting"), el("th", { scope: "col" }, "A"), el("th", { scope: "col" }, "B"))),
              el("tbody", {}, ...diff.map((d) => el("tr", {}, el("td", { class: "text" }, d.key), el("td", { class: "text" }, d.a), el("td", { class: "text" }, d.b)))),
            ),
      );
    }
    replace(this.root, ...parts);
  }
}
