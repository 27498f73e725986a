// Runs untrusted JavaScript (model-written programs) in QuickJS compiled to WebAssembly: no require, fs,
// network, timers, Date, typed arrays or host objects exist there, and a memory cap, a step budget, a deadline, a stack cap
// and an output-size cap bound every run. Each run gets a fresh QuickJS runtime and context (its own heap, globals,
// prototypes, symbol registry and job queue), so nothing leaks into the next run: the bench measured a fresh
// runtime as costing no more than a fresh context on a reused one. If the engine itself breaks (the host's
// native stack overflowed inside the WebAssembly, or QuickJS aborted), the whole WebAssembly module is
// dropped and a new one is loaded.
import { DefaultIntrinsics, newQuickJSWASMModule, RELEASE_SYNC } from "quickjs-emscripten";
import type { QuickJSContext, QuickJSHandle, QuickJSWASMModule } from "quickjs-emscripten";
import { HARNESS_SOURCE } from "./harness";
import { DEFAULT_LIMITS } from "./limits";
import type { SandboxLimits } from "./limits";

export { DEFAULT_LIMITS } from "./limits";
export type { SandboxLimits } from "./limits";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Call {
  /** Name of the function the program defines (an identifier). */
  fn: string;
  args: Json[];
}

export type FailureReason =
  | "syntax" // the program does not parse
  | "no-function" // it parses but defines no function with the requested name
  | "bad-call" // the function name is not an identifier
  | "threw" // the program or the call threw
  | "timeout" // the step budget ran out or the deadline passed
  | "memory" // the heap cap was reached
  | "stack" // the recursion cap was reached
  | "not-json" // the result is not plain JSON (NaN, undefined, a function, a cycle, a Map, a BigInt…)
  | "output-too-large"
  | "input-too-large" // the arguments or the program exceed the host-side caps
  | "engine-crash"; // the engine broke; it has been replaced

export type RunOutcome =
  | { ok: true; value: Json; ms: number }
  | { ok: false; reason: FailureReason; message: string; ms: number };

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
// A `RangeError` thrown by V8 (not by QuickJS) means the host's native stack overflowed inside the module.
const HOST_STACK_OVERFLOW = /Maximum call stack size exceeded/;
const WARM_UP_RUNS = 20;
// No Date (a clock makes programs non-deterministic) and no typed arrays: problems of the game do not need
// them, and setting them up was over 40% of the cost of a fresh context (bench:sandbox, "Isolation cost").
const INTRINSICS = { ...DefaultIntrinsics, Date: false, TypedArrays: false };
const WARM_UP_PROGRAM = "function f(xs){ return xs.map(x => ({ x, s: String(x) })).filter(o => o.s.length > 0) }";

export class Sandbox {
  private module: QuickJSWASMModule | undefined;
  private loading: Promise<void> | undefined;
  private deadline = 0;
  private fuelLeft = 0;
  private interrupted: "fuel" | "deadline" | undefined;
  /** How many times the WebAssembly module had to be replaced (for the record and the tests). */
  engineRestarts = 0;

  /** Loads the WebAssembly engine (bundled with the package; no network). */
  static async create(): Promise<Sandbox> {
    const sandbox = new Sandbox();
    await sandbox.loadWarmModule();
    return sandbox;
  }

  private constructor() {}

  /** Evaluates `program` in a fresh context and calls `call.fn(...call.args)`. */
  async runPure(program: string, call: Call, limits: SandboxLimits = DEFAULT_LIMITS): Promise<RunOutcome> {
    const [outcome] = await this.runPureMany(program, [call], limits);
    return outcome!;
  }

  /**
   * Evaluates `program` once in a fresh context and makes each call in turn (they share that context, as
   * calls into one module would; a pure function cannot tell). Fuel and deadline cover the whole batch. After the
   * first failure of the program itself (syntax, timeout, memory…) the remaining calls report the same.
   */
  async runPureMany(program: string, calls: Call[], limits: SandboxLimits = DEFAULT_LIMITS): Promise<RunOutcome[]> {
    while (!this.module) {
      // Concurrent callers after a crash share one reload.
      this.loading ??= this.loadWarmModule().finally(() => {
        this.loading = undefined;
        this.engineRestarts++;
      });
      await this.loading;
    }
    const started = performance.now();
    const fail = (reason: FailureReason, message: string): RunOutcome[] =>
      calls.map(() => ({ ok: false, reason, message, ms: performance.now() - started }));

    if (program.length > limits.programChars) {
      return fail("input-too-large", `the program has ${program.length} characters; the limit is ${limits.programChars}`);
    }
    const fnNames = new Set(calls.map((c) => c.fn));
    if (fnNames.size > 1) throw new Error("runPureMany: all calls in a batch must name the same function");
    const fnName = calls[0]?.fn ?? "";
    if (!IDENTIFIER.test(fnName)) return fail("bad-call", `'${fnName.slice(0, 40)}' is not a function name`);

    const argsJson: string[] = [];
    for (const call of calls) {
      const text = JSON.stringify(call.args);
      if (text.length > limits.inputChars) {
        return fail("input-too-large", `the arguments have ${text.length} characters; the limit is ${limits.inputChars}`);
      }
      argsJson.push(text);
    }

    try {
      return this.runInFreshRuntime(program, fnName, argsJson, limits, started);
    } catch (error) {
      // The engine broke mid-run. Its state is unknown, so nothing in it is touched again, not even dispose().
      this.module = undefined;
      const message = error instanceof Error ? error.message : String(error);
      if (HOST_STACK_OVERFLOW.test(message)) return fail("stack", "the program nests too deeply for the engine");
      return fail("engine-crash", `the sandbox engine failed (${message.slice(0, 200)}); it has been restarted`);
    }
  }

  /**
   * Loads a new engine and takes it through a few runs: V8 compiles WebAssembly (and this class's own code)
   * lazily, and a cold first run can take tens of milliseconds, which would count against the deadline of
   * an innocent program.
   */
  private async loadWarmModule(): Promise<void> {
    this.module = await newQuickJSWASMModule(RELEASE_SYNC);
    const limits = { ...DEFAULT_LIMITS, timeoutMs: 10_000, fuel: Infinity };
    for (let i = 0; i < WARM_UP_RUNS; i++) {
      const started = performance.now();
      const [outcome] = this.runInFreshRuntime(WARM_UP_PROGRAM, "f", [JSON.stringify([[i, "x"]])], limits, started);
      if (!outcome?.ok) throw new Error(`the sandbox engine failed its warm-up run: ${JSON.stringify(outcome)}`);
    }
  }

  private runInFreshRuntime(
    program: string,
    fnName: string,
    argsJson: string[],
    limits: SandboxLimits,
    started: number,
  ): RunOutcome[] {
    const runtime = this.module!.newRuntime();
    runtime.setMemoryLimit(limits.memoryBytes);
    runtime.setMaxStackSize(limits.stackBytes);
    this.deadline = started + limits.timeoutMs;
    this.fuelLeft = limits.fuel;
    this.interrupted = undefined;
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
        const line = loaded.reason === "ok" ? this.invokeCall(context, call, args, limits.outputChars) : loaded;
        outcomes.push(toOutcome(line, started));
      }
      load.dispose();
      call.dispose();
    } catch (error) {
      broken = true;
      throw error;
    } finally {
      // A broken engine is left alone (the caller drops it); disposing it could only fail in a new way.
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
    const line = this.invoke(context, call, [args, cap]);
    args.dispose();
    cap.dispose();
    return line;
  }

  /** Calls a harness function; it always returns "reason\nmessage" unless the run was interrupted. */
  private invoke(context: QuickJSContext, fn: QuickJSHandle, args: QuickJSHandle[]): Line {
    const result = context.callFunction(fn, context.undefined, ...args);
    if (result.error) {
      // Only uncatchable errors get past the harness: an interrupt, or memory exhausted while describing.
      result.error.dispose();
      if (this.interrupted === "fuel") return { reason: "timeout", text: "the program used up its step budget" };
      if (this.interrupted === "deadline") return { reason: "timeout", text: "the program ran past its deadline" };
      return { reason: "memory", text: "the program exhausted its memory" };
    }
    const text = context.getString(result.value);
    result.value.dispose();
    const cut = text.indexOf("\n");
    return { reason: text.slice(0, cut) as FailureReason | "ok", text: text.slice(cut + 1) };
  }

  private installHarness(context: QuickJSContext): [QuickJSHandle, QuickJSHandle] {
    const result = context.evalCode(HARNESS_SOURCE, "harness.js", { type: "global" });
    const pair = context.unwrapResult(result);
    const load = context.getProp(pair, 0);
    const call = context.getProp(pair, 1);
    pair.dispose();
    return [load, call];
  }

  /** Frees the engine. The sandbox loads a new one if it is used again. */
  dispose(): void {
    this.module = undefined;
  }
}

/** What code that only runs programs needs of a sandbox (lets a test stand in a double where it must). */
export type PureRunner = Pick<Sandbox, "runPure" | "runPureMany">;

interface Line {
  reason: FailureReason | "ok";
  text: string;
}

function toOutcome(line: Line, started: number): RunOutcome {
  const ms = performance.now() - started;
  if (line.reason === "ok") return { ok: true, value: JSON.parse(line.text) as Json, ms };
  return { ok: false, reason: line.reason, message: line.text, ms };
}
