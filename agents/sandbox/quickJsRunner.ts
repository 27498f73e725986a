// What runs untrusted JavaScript: QuickJS compiled to WebAssembly, used synchronously inside the
// sandbox's worker thread. No require, fs, network, timers, Date, typed arrays or host objects exist there.
// Each run gets a fresh QuickJS runtime and context (its own heap, globals, prototypes, symbol registry and
// job queue), so nothing leaks into the next run. Memory is capped by giving the WebAssembly module a
// `WebAssembly.Memory` with a maximum size: QuickJS's own limit is not enough in this build (without
// malloc_usable_size it only refuses single allocations larger than the limit). If the engine breaks (the
// native stack overflowed inside the WebAssembly, or QuickJS aborted), the module is dropped and reloaded.
import { DefaultIntrinsics, newQuickJSWASMModuleFromVariant, newVariant, RELEASE_SYNC } from "quickjs-emscripten";
import type { QuickJSContext, QuickJSHandle, QuickJSWASMModule } from "quickjs-emscripten";
import { HARNESS_SOURCE } from "./harness";
import { nestingDepth } from "../../workspace-kb/boundedJson";
import { DEFAULT_LIMITS, OUTPUT_NESTING } from "./limits";
import type { SandboxLimits } from "./limits";
import type { FailureReason, Json, RunOutcome } from "./outcome";

// The module's own initial memory (Emscripten's INITIAL_MEMORY, 16 MiB); runs may grow it by memoryBytes.
const BASE_PAGES = 256;
const PAGE_BYTES = 65536;
// A `RangeError` thrown by V8 (not by QuickJS) means the native stack overflowed inside the module.
const HOST_STACK_OVERFLOW = /Maximum call stack size exceeded/;
// Emscripten's messages when the module could not get memory it needed outside QuickJS's own checks.
const MODULE_OUT_OF_MEMORY = /OOM|enlarge memory|out of memory/i;
// No Date (a clock makes programs non-deterministic) and no typed arrays: problems of the game do not need
// them, and setting them up was over 40% of the cost of a fresh context (bench:sandbox, "Isolation cost").
const INTRINSICS = { ...DefaultIntrinsics, Date: false, TypedArrays: false };
const WARM_UP_RUNS = 20;
const WARM_UP_PROGRAM = "function f(xs){ return xs.map(x => ({ x, s: String(x) })).filter(o => o.s.length > 0) }";

interface Line {
  reason: FailureReason | "ok";
  text: string;
  clock?: true;
}

export class QuickJsRunner {
  private module: QuickJSWASMModule | undefined;
  private moduleMemoryBytes = 0;
  private deadline = 0;
  private fuelLeft = 0;
  private interrupted: "fuel" | "deadline" | undefined;
  /** Set when the module asked for more memory than its cap during the current run. */
  private memoryRefused = false;
  private wasmMemory: WebAssembly.Memory | undefined;
  /** How many times a broken module had to be replaced. */
  restarts = 0;

  /**
   * Evaluates `program` once in a fresh runtime and calls `fnName` with each argument list (JSON text). Fuel
   * and deadline cover the whole batch; after a failure of the program itself every call reports it.
   */
  async run(program: string, fnName: string, argsJson: string[], limits: SandboxLimits): Promise<RunOutcome[]> {
    if (!this.module || this.moduleMemoryBytes !== limits.memoryBytes) await this.load(limits.memoryBytes);
    const started = performance.now();
    try {
      return this.runInFreshRuntime(program, fnName, argsJson, limits, started);
    } catch (error) {
      // The module broke mid-run. Its state is unknown, so nothing in it is touched again, not even dispose().
      this.module = undefined;
      this.restarts++;
      const message = error instanceof Error ? error.message : String(error);
      const fail = (reason: FailureReason, text: string) => argsJson.map(() => toOutcome({ reason, text }, started));
      if (HOST_STACK_OVERFLOW.test(message)) return fail("stack", "the program nests too deeply for the engine");
      if (MODULE_OUT_OF_MEMORY.test(message)) return fail("memory", "the program exhausted the engine's memory");
      return fail("engine-crash", `the sandbox engine failed (${message.slice(0, 200)}); it has been restarted`);
    }
  }

  /**
   * Loads a module whose memory may grow by `memoryBytes`, and takes it through a few runs: V8 compiles
   * WebAssembly lazily, and a cold first run can take tens of milliseconds of an innocent program's deadline.
   */
  async load(memoryBytes: number): Promise<void> {
    const wasmMemory = new WebAssembly.Memory({ initial: BASE_PAGES, maximum: BASE_PAGES + Math.ceil(memoryBytes / PAGE_BYTES) });
    // When memory runs out QuickJS may be unable even to build its "out of memory" error and throw null
    // instead; noticing the refused growth lets the run still be reported as what it was.
    const grow = wasmMemory.grow.bind(wasmMemory);
    wasmMemory.grow = (delta: number) => {
      try {
        return grow(delta);
      } catch (error) {
        this.memoryRefused = true;
        throw error;
      }
    };
    this.module = await newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmMemory }));
    this.wasmMemory = wasmMemory;
    this.moduleMemoryBytes = memoryBytes;
    const limits = { ...DEFAULT_LIMITS, memoryBytes, timeoutMs: 10_000, fuel: Infinity };
    for (let i = 0; i < WARM_UP_RUNS; i++) {
      const [outcome] = this.runInFreshRuntime(WARM_UP_PROGRAM, "f", [JSON.stringify([[i, "x"]])], limits, performance.now());
      if (!outcome?.ok) throw new Error(`the sandbox engine failed its warm-up run: ${JSON.stringify(outcome)}`);
    }
  }

  /** Size of the module's WebAssembly memory now (it never shrinks): at most 16 MiB + memoryBytes. */
  get wasmBytes(): number {
    return this.wasmMemory?.buffer.byteLength ?? 0;
  }

  private runInFreshRuntime(program: string, fnName: string, argsJson: string[], limits: SandboxLimits, started: number): RunOutcome[] {
    const runtime = this.module!.newRuntime();
    // Also set QuickJS's own limit: it refuses single allocations larger than the cap with a clear message.
    runtime.setMemoryLimit(limits.memoryBytes);
    runtime.setMaxStackSize(limits.stackBytes);
    this.deadline = started + limits.timeoutMs;
    this.fuelLeft = limits.fuel;
    this.interrupted = undefined;
    this.memoryRefused = false;
    runtime.setInterruptHandler(() => {
      if (--this.fuelLeft < 0) this.interrupted = "fuel";
      else if (performance.now() >= this.deadline) this.interrupted = "deadline";
      return this.interrupted !== undefined;
    });
    const context = runtime.newContext({ intrinsics: INTRINSICS });
    const outcomes: RunOutcome[] = [];
    let broken = false;
    try {
      // Anything thrown in here is a failure of the engine, not of the program (the harness turns those
      // into strings), so the handles need no disposing on that path.
      const [load, call] = this.installHarness(context);
      const source = context.newString(program);
      const name = context.newString(fnName);
      const loaded = this.invoke(context, load, [source, name]);
      source.dispose();
      name.dispose();
      for (const args of argsJson) {
        let line = loaded.reason === "ok" ? this.invokeCall(context, call, args, limits.outputChars) : loaded;
        if (this.memoryRefused && (line.reason === "threw" || line.reason === "not-json")) {
          line = { reason: "memory", text: `the program exhausted its memory (${line.text})` };
        }
        outcomes.push(toOutcome(line, started));
      }
      load.dispose();
      call.dispose();
    } catch (error) {
      broken = true;
      throw error;
    } finally {
      // A broken module is left alone (the caller drops it); disposing it could only fail in a new way.
      if (!broken) {
        context.dispose();
        // Throws (QuickJS aborts) if the run left the runtime inconsistent; the caller then drops the module.
        runtime.dispose();
      }
    }
    return outcomes;
  }

  private invokeCall(context: QuickJSContext, call: QuickJSHandle, argsJson: string, outputChars: number): Line {
    const args = context.newString(argsJson);
    const cap = context.newNumber(outputChars);
    const line = this.invoke(context, call, [args, cap], outputChars);
    args.dispose();
    cap.dispose();
    return line;
  }

  /** Calls a harness function; it always returns "reason\nmessage" unless the run was interrupted. */
  private invoke(context: QuickJSContext, fn: QuickJSHandle, args: QuickJSHandle[], outputChars = 0): Line {
    const result = context.callFunction(fn, context.undefined, ...args);
    if (result.error) result.error.dispose();
    else if (this.interrupted) result.value.dispose();
    // Once the budget or the deadline ran out, whatever came back is discarded: a program can catch the
    // interrupt (inside an async function it becomes a rejected promise) and return a value regardless.
    if (this.interrupted === "fuel") return { reason: "timeout", text: "the program used up its step budget" };
    if (this.interrupted === "deadline") return { reason: "timeout", text: "the program ran past the wall-clock backstop before using up its step budget (a runaway in native code)", clock: true };
    // Otherwise only an uncatchable error gets past the harness: memory exhausted while describing.
    if (result.error) return { reason: "memory", text: "the program exhausted its memory" };
    const text = context.getString(result.value);
    result.value.dispose();
    const cut = text.indexOf("\n");
    const reason = text.slice(0, cut) as FailureReason | "ok";
    // The harness caps what it returns; the host caps it again, so no string from the program leaves whole.
    if (reason === "ok" && text.length - cut - 1 > outputChars) {
      return { reason: "output-too-large", text: `the result has ${text.length - cut - 1} characters; the limit is ${outputChars}` };
    }
    return { reason, text: reason === "ok" ? text.slice(cut + 1) : clipMessage(text.slice(cut + 1)) };
  }

  private installHarness(context: QuickJSContext): [QuickJSHandle, QuickJSHandle] {
    const pair = context.unwrapResult(context.evalCode(HARNESS_SOURCE, "harness.js", { type: "global" }));
    const load = context.getProp(pair, 0);
    const call = context.getProp(pair, 1);
    pair.dispose();
    return [load, call];
  }
}

/** Failure messages leave the sandbox at most this long (the harness already cuts names and messages). */
export const MESSAGE_CHARS = 500;

function clipMessage(text: string): string {
  return text.length <= MESSAGE_CHARS ? text : `${text.slice(0, MESSAGE_CHARS)}… (${text.length - MESSAGE_CHARS} more characters)`;
}

function toOutcome(line: Line, started: number): RunOutcome {
  const ms = performance.now() - started;
  if (line.reason === "ok") {
    // Measured before anything walks it: deeper results crash recursive code (zod, JSON.stringify) downstream.
    const depth = nestingDepth(line.text);
    if (depth > OUTPUT_NESTING) {
      return { ok: false, reason: "output-too-large", message: `the result nests ${depth} levels deep; the limit is ${OUTPUT_NESTING}`, ms };
    }
    return { ok: true, value: JSON.parse(line.text) as Json, ms };
  }
  return { ok: false, reason: line.reason, message: line.text, ms, ...(line.clock ? { clock: true as const } : {}) };
}
