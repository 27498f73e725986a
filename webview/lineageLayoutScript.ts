// The entry of dist/webview/lineage-layout.js, a script that serves both ways the panel can lay the lineage out:
// started as a Web Worker it answers each posted LayoutRequest with its LayoutResult (tagged with the request's
// `job`); loaded as a page script (the fallback when no worker can start) it leaves layOut on the page for the panel.
// Keeping dagre here also keeps it out of panel.js, which the first paint has to load.
import { layOut } from "./lineageLayout";
import { LAYOUT_GLOBAL, type LayoutAnswer, type LayoutJob } from "./lineageLayoutWire";

interface WorkerScope {
  onmessage: ((event: MessageEvent<LayoutJob>) => void) | null;
  postMessage(message: LayoutAnswer): void;
}

const scope = globalThis as unknown as Record<string, unknown> & WorkerScope;
if (typeof (globalThis as { document?: unknown }).document === "undefined") {
  scope.onmessage = (event) => {
    const { job, ...request } = event.data;
    const started = performance.now();
    try {
      scope.postMessage({ job, result: layOut(request), ms: performance.now() - started });
    } catch (error) {
      scope.postMessage({ job, error: error instanceof Error ? error.message : String(error) });
    }
  };
} else {
  scope[LAYOUT_GLOBAL] = layOut;
}
