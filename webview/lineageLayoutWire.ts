// What passes between the panel and its lineage layout script (lineageLayoutScript.ts), in one place for both.
// Type-only apart from one constant, so importing it never pulls dagre into panel.js.
import type { LayoutRequest, LayoutResult } from "./lineageLayout";

export type { LayoutRequest, LayoutResult };

/** The global the layout script leaves on the page when it is loaded as a page script (the fallback path). */
export const LAYOUT_GLOBAL = "__cultureLabLineageLayout";
/** The layout script beside panel.js in dist/webview. */
export const LAYOUT_SCRIPT = "lineage-layout.js";

export type LayoutJob = LayoutRequest & { job: number };
export type LayoutAnswer = { job: number; result: LayoutResult; ms: number } | { job: number; error: string };
