// Lays the lineage graph out off the page's main thread: a Web Worker runs lineage-layout.js and the page only
// draws what it answers. A webview's scripts come from another origin than the page (VS Code serves them from its
// resource host), and a worker must be same-origin, so the script is fetched and started from a blob: URL (CSP:
// connect-src the resource host, worker-src blob:). If no worker can start — no Worker, the fetch or the CSP
// refuses, the worker fails or stays silent — the same script is loaded as a page script with the page's nonce and
// the same layOut runs on the main thread: the graph looks the same, only the main thread pays for it.
import { LAYOUT_GLOBAL, type LayoutAnswer, type LayoutRequest, type LayoutResult } from "./lineageLayoutWire";

/** Where a layout ran: in the worker, or on the page's main thread (the fallback). */
export type LayoutPath = "worker" | "page";

export interface LaidOut {
  result: LayoutResult;
  path: LayoutPath;
  /** The layout's own time, wherever it ran. */
  ms: number;
}

/** A worker that has not answered its first layout in this long is given up for the page path. */
const WORKER_FIRST_ANSWER_MS = 5000;

class WorkerUnavailable extends Error {}

export class LineageLayoutClient {
  private worker: Promise<Worker | undefined> | undefined;
  private pageLayOut: Promise<(request: LayoutRequest) => LayoutResult> | undefined;
  private readonly waiting = new Map<number, { resolve: (a: LaidOut) => void; reject: (e: Error) => void }>();
  private jobs = 0;
  private answered = false;
  /** Why the page path is used, once it is (for the page's data-layout-why and the report of a failed start). */
  fallbackReason: string | undefined;

  constructor(
    private readonly scriptUrl: string,
    private readonly nonce: string,
  ) {}

  async layOut(request: LayoutRequest): Promise<LaidOut> {
    if (this.fallbackReason === undefined) {
      const worker = await (this.worker ??= this.startWorker());
      if (worker) {
        try {
          return await this.inWorker(worker, request);
        } catch (error) {
          if (!(error instanceof WorkerUnavailable)) throw error;
        }
      }
    }
    return this.onPage(request);
  }

  private async startWorker(): Promise<Worker | undefined> {
    if (typeof Worker === "undefined") return this.giveUp("this page cannot start Web Workers");
    let blobUrl: string;
    try {
      const response = await fetch(this.scriptUrl);
      if (!response.ok) return this.giveUp(`fetching the layout script answered ${response.status}`);
      blobUrl = URL.createObjectURL(new Blob([await response.text()], { type: "text/javascript" }));
    } catch (error) {
      return this.giveUp(`fetching the layout script failed: ${String(error)}`);
    }
    let worker: Worker;
    try {
      worker = new Worker(blobUrl, { name: "lineage layout" });
    } catch (error) {
      URL.revokeObjectURL(blobUrl);
      return this.giveUp(`the worker did not start: ${String(error)}`);
    }
    const stop = (reason: string) => {
      worker.terminate();
      URL.revokeObjectURL(blobUrl);
      this.giveUp(reason);
    };
    worker.addEventListener("message", (event: MessageEvent<LayoutAnswer>) => {
      const answer = event.data;
      const waiter = this.waiting.get(answer.job);
      if (!waiter) return;
      this.waiting.delete(answer.job);
      if (!this.answered) {
        this.answered = true;
        URL.revokeObjectURL(blobUrl);
      }
      if ("error" in answer) waiter.reject(new Error(`the lineage layout failed: ${answer.error}`));
      else waiter.resolve({ result: answer.result, path: "worker", ms: answer.ms });
    });
    // A script error in the worker, or a CSP that refuses it, arrives as an error event.
    worker.addEventListener("error", (event) => {
      event.preventDefault();
      stop(`the worker failed: ${event.message || "refused or failed to load"}`);
    });
    setTimeout(() => this.answered || stop(`the worker gave no answer in ${WORKER_FIRST_ANSWER_MS / 1000} s`), WORKER_FIRST_ANSWER_MS);
    return worker;
  }

  private inWorker(worker: Worker, request: LayoutRequest): Promise<LaidOut> {
    if (this.fallbackReason !== undefined) return Promise.reject(new WorkerUnavailable(this.fallbackReason));
    const job = ++this.jobs;
    return new Promise((resolve, reject) => {
      this.waiting.set(job, { resolve, reject });
      worker.postMessage({ ...request, job });
    });
  }

  /** Switches to the page path for good; layouts waiting on the worker are redone there. */
  private giveUp(reason: string): undefined {
    this.fallbackReason ??= reason;
    for (const waiter of this.waiting.values()) waiter.reject(new WorkerUnavailable(reason));
    this.waiting.clear();
    return undefined;
  }

  private async onPage(request: LayoutRequest): Promise<LaidOut> {
    this.pageLayOut ??= loadPageScript(this.scriptUrl, this.nonce);
    const layOut = await this.pageLayOut;
    const started = performance.now();
    const result = layOut(request);
    return { result, path: "page", ms: performance.now() - started };
  }
}

/** Loads the layout script into the page (allowed by the page's nonce) and returns the layOut it leaves behind. */
function loadPageScript(src: string, nonce: string): Promise<(request: LayoutRequest) => LayoutResult> {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.nonce = nonce;
    script.addEventListener("load", () => {
      const layOut = (globalThis as unknown as Record<string, unknown>)[LAYOUT_GLOBAL];
      if (typeof layOut === "function") resolve(layOut as (request: LayoutRequest) => LayoutResult);
      else reject(new Error("the lineage layout script loaded but left no layout function"));
    });
    script.addEventListener("error", () => reject(new Error(`the lineage layout script ${src} could not be loaded`)));
    document.head.appendChild(script);
  });
}
