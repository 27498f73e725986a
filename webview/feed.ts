// The live feed: the newest notes, chapters, problems (with their verdicts) and human notes, newest first, as text
// only. Long texts are cut for display; the whole entry opens in NOTES.md.
import { el, replace } from "./element";
import type { PanelEntry } from "./protocol";

export const FEED_ITEMS = 100;
export const FEED_TEXT_CHARS = 600;

/** What an item shows besides its fixed text: an entry sent again (archived, a new verdict) is drawn again. */
function itemKey(e: PanelEntry): string {
  return `${e.id}|${e.archived ? "a" : ""}|${e.verdict ?? ""}|${e.truncated ?? 0}|${e.text.length}`;
}

const KIND_LABEL: Record<PanelEntry["kind"], string> = { note: "note", chapter: "chapter", problem: "problem", human: "human note" };

export class FeedView {
  readonly root = el("div", { class: "feed" });
  private readonly list = el("ol", { class: "feed-list", "aria-label": "Newest entries, newest first" });
  /** Items drawn, by what they show: an entry sent again unchanged keeps its element. */
  private items = new Map<string, HTMLElement>();

  constructor(private readonly open: (id: string) => void) {}

  update(entries: readonly PanelEntry[]): void {
    const newest = entries.slice(-FEED_ITEMS).reverse();
    if (newest.length === 0) {
      this.items.clear();
      replace(this.root, el("p", { class: "empty-note" }, "No entries yet."));
      return;
    }
    if (this.list.parentNode !== this.root) replace(this.root, this.list);
    // A live update adds a few entries at the top and drops as many at the bottom: only those elements change, so
    // the browser lays out and paints the new items, not the hundred.
    const items = new Map<string, HTMLElement>();
    let at: ChildNode | null = this.list.firstChild;
    for (const e of newest) {
      const key = itemKey(e);
      const item = this.items.get(key) ?? this.item(e);
      items.set(key, item);
      if (item === at) at = at.nextSibling;
      else this.list.insertBefore(item, at);
    }
    while (at) {
      const next = at.nextSibling;
      at.remove();
      at = next;
    }
    this.items = items;
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
