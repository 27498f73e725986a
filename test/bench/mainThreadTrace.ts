// Where a page's main-thread time goes, from a Chromium performance trace (playwright's browser.startTracing):
// the self time of each trace event on the renderer's main thread, grouped into what a person would call it
// (running script, parsing/compiling script, receiving a message, garbage collection, style, layout, paint…).
// For bench:panel, which prints it beside the figures so a missed target comes with its measured reason.
import type { Browser, Page } from "playwright-core";

export const TRACE_CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8", "v8.execute", "blink.user_timing"];

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  cat?: string;
  args?: { name?: string; data?: { url?: string; functionName?: string } };
}

/** Event names (Chromium's) → what they are. Anything not listed is "other". */
const GROUPS: [RegExp, string][] = [
  [/^(V8\.GC|MajorGC|MinorGC|BlinkGC|V8\.GCScavenger|V8\.GCFinalizeMC|V8\.GC_)/, "garbage collection"],
  [/^(v8\.compile|v8\.parseOnBackground|V8\.CompileCode|v8\.compileModule|CompileScript|CompileCode|V8\.ParseFunction|V8\.Parse|v8\.produceCache|v8\.consumeCache|V8\.CompileLazy|V8\.CompileIgnition|V8\.Compile)/, "parsing and compiling script"],
  [/^(v8\.deserialize|V8\.Deserialize|SerializedScriptValue|v8\.serialize|PostMessage|MessagePort|HandlePostMessage|BlinkPostMessage)/i, "copying messages (structured clone)"],
  [/^(EvaluateScript|v8\.evaluateModule|FunctionCall|TimerFire|FireAnimationFrame|EventDispatch|v8\.run|V8\.Execute|v8\.callFunction|RunMicrotasks|FireIdleCallback|XHRReadyStateChange|v8\.newInstance)/, "running script"],
  [/^(UpdateLayoutTree|RecalculateStyles|ParseAuthorStyleSheet|InvalidateLayout|ScheduleStyleRecalculation)/, "style"],
  [/^(Layout|UpdateLayerTree|IntersectionObserverController::computeIntersections|ResizeObserver)/, "layout"],
  [/^(Paint|PaintImage|PrePaint|Layerize|RasterTask|CompositeLayers|Commit|UpdateLayer|PaintSetup|Decode|GPUTask|ImageDecodeTask)/, "paint and composite"],
  [/^(ParseHTML|ResourceSendRequest|ResourceReceiveResponse|ResourceReceivedData|ResourceFinish|CommitLoad|MarkDOMContent|MarkLoad)/, "loading the page"],
];

function group(name: string): string {
  for (const [pattern, label] of GROUPS) if (pattern.test(name)) return label;
  return "other";
}

/** Runs `work` while tracing the page and returns the main thread's self time per group, in ms, largest first. */
export async function traceMainThread(browser: Browser, page: Page | undefined, work: () => Promise<void>): Promise<{ groups: [string, number][]; total: number; top: [string, number][] }> {
  await browser.startTracing(page, { categories: TRACE_CATEGORIES });
  await work();
  const trace = JSON.parse((await browser.stopTracing()).toString("utf8")) as { traceEvents: TraceEvent[] } | TraceEvent[];
  return mainThreadBreakdown(Array.isArray(trace) ? trace : trace.traceEvents);
}

export function mainThreadBreakdown(events: TraceEvent[]): { groups: [string, number][]; total: number; top: [string, number][] } {
  // The renderer's main thread(s): the one with the most traced time is the page's.
  const mains = new Set(events.filter((e) => e.ph === "M" && e.name === "thread_name" && e.args?.name === "CrRendererMain").map((e) => `${e.pid}:${e.tid}`));
  const busy = new Map<string, number>();
  for (const e of events) if (e.ph === "X" && mains.has(`${e.pid}:${e.tid}`)) busy.set(`${e.pid}:${e.tid}`, (busy.get(`${e.pid}:${e.tid}`) ?? 0) + (e.dur ?? 0));
  const main = [...busy].sort((a, b) => b[1] - a[1])[0]?.[0];
  const complete = events.filter((e) => `${e.pid}:${e.tid}` === main && e.ph === "X" && e.dur !== undefined).sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  // Self time: an event's duration less its children's (events nest by time on one thread).
  const self = new Map<string, number>();
  const stack: { end: number; name: string }[] = [];
  let total = 0;
  for (const e of complete) {
    while (stack.length > 0 && stack.at(-1)!.end <= e.ts) stack.pop();
    const parent = stack.at(-1);
    if (parent) self.set(parent.name, (self.get(parent.name) ?? 0) - e.dur!);
    else if (e.name === "RunTask" || e.name === "ThreadControllerImpl::RunTask") total += e.dur!;
    self.set(e.name, (self.get(e.name) ?? 0) + e.dur!);
    stack.push({ end: e.ts + e.dur!, name: e.name });
  }
  const groups = new Map<string, number>();
  for (const [name, us] of self) {
    if (name === "RunTask" || name === "ThreadControllerImpl::RunTask") continue; // a task's own bookkeeping
    groups.set(group(name), (groups.get(group(name)) ?? 0) + us / 1000);
  }
  const top = [...self].filter(([, us]) => us > 0).map(([n, us]): [string, number] => [n, us / 1000]).sort((a, b) => b[1] - a[1]).slice(0, 12);
  return { groups: [...groups].filter(([, ms]) => ms >= 0.05).sort((a, b) => b[1] - a[1]), total: total / 1000, top };
}

/** "running script 120 ms, paint and composite 40 ms, …", and with `events`, the largest trace events by self time. */
export function describeBreakdown(b: { groups: [string, number][]; top: [string, number][] }, events = 0): string {
  const groups = b.groups.filter(([, ms]) => ms >= 0.5).map(([g, ms]) => `${g} ${ms.toFixed(0)} ms`).join(", ");
  return events === 0 ? groups : `${groups} (largest events: ${b.top.slice(0, events).map(([n, ms]) => `${n} ${ms.toFixed(0)} ms`).join(", ")})`;
}
