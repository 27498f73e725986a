// The live feed: the newest notes, chapters, problems (with their verdicts) and human notes, newest first, as text
// only. Long texts are cut for display; the whole entry opens in NOTES.md.
import { el, replace } from "./element";
import type { PanelEntry } from "./protocol";

export const FEED_ITEMS = 100;
export const FEED_TEXT_CHARS = 600;

const KIND_LABEL: Record<PanelEntry["kind"], string> = { note: "note", chapter: "chapter", problem: "problem", human: "human note" };

export class FeedView {
  readonly root = el("div", { class: "feed" });
  private key = "";

  constructor(private readonly open: (id: string) => void) {}

  update(entries: readonly PanelEntry[]): void {
    const newest = entries.slice(-FEED_ITEMS).reverse();
    const key = newest.map((e) => `${e.id}${e.archived ? "a" : ""}`).join(",");
    if (key === this.key) return;
    this.key = key;
    if (newest.length === 0) {
      replace(this.root, el("p", { class: "empty-note" }, "No entries yet."));
      return;
    }
    replace(this.root, el("ol", { class: "feed-list", "aria-label": "Newest entries, newest first" }, ...newest.map((e) => this.item(e))));
  }

  private item(e: PanelEntry): HTMLElement {
    const cut = e.text.length > FEED_TEXT_CHARS;
    const more = (cut ? e.text.length - FEED_TEXT_CHARS : 0) + (e.truncated ?? 0);
    const open = el("button", { type: "button", class: "link", title: `Open ${e.id} in NOTES.md` }, e.id);
    open.addEventListener("click", () => this.open(e.id));
    return el(
      "li",
      { class: `feed-item kind-${e.kind}${e.archived ? " ghost" : ""}`, "data-id": e.id },
      el(
        "div",
        { class: "feed-head" },
        el("span", { class: "badge" }, KIND_LABEL[e.kind]),
        " ",
        open,
        ` · ${e.author} · gen ${e.generation}`,
        e.archived ? " · archived" : "",
        e.verdict ? el("span", { class: "verdict" }, ` · ${e.verdict}`) : null,
      ),
      el("div", { class: "feed-title" }, e.title),
      el("div", { class: "feed-text" }, cut ? `${e.text.slice(0, FEED_TEXT_CHARS)}…` : e.text),
      more > 0 ? el("div", { class: "feed-more" }, `(${more.toLocaleString("en")} more characters: open the entry to read it whole)`) : null,
      e.cites.length > 0 ? el("div", { class: "feed-cites" }, `cites ${e.cites.slice(0, 12).join(", ")}${e.cites.length > 12 ? ` and ${e.cites.length - 12} more` : ""}`) : null,
    );
  }
}
