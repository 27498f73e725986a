// Runs untrusted JavaScript (model-written programs) with no access to the host and with caps on memory,
// steps, time, stack and output (engine.ts). The engine runs in a worker thread owned by this class: QuickJS
// stops a program at its step budget or deadline from inside, and a watchdog here terminates the whole
// thread if a program keeps QuickJS busy in native code past the deadline, so no program can hold the host.
// Requests run one at a time; a terminated or crashed worker is replaced before the next request.
import { Worker } from "node:worker_threads";
import { CultureLabError } from "../../workspace-kb/errors";
import { DEFAULT_LIMITS } from "./limits";
import type { SandboxLimits } from "./limits";
import type { Call, FailureReason, RunOutcome } from "./outcome";
import type { EngineMessage, RunRequest } from "./workerProtocol";

export { DEFAULT_LIMITS, sandboxLimitsSchema } from "./limits";
export type { SandboxLimits } from "./limits";
export type { Call, FailureReason, Json, RunOutcome } from "./outcome";

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/**
 * How long after a run's deadline the watchdog waits for the engine to stop the program by itself. The margin
 * that protects correct programs on a loaded machine is the deadline's own (DEFAULT_LIMITS.timeoutMs, far above
 * what the step budget allows); a program still running this long past it is a runaway in native code, so a
 * longer grace would only delay stopping it.
 */
export const WATCHDOG_GRACE_MS = 50;
// Under tsx (tests, `npm run`) the worker is the TypeScript source, which a worker thread can only load after
// registering tsx itself; in a build it is the bundled file esbuild writes next to the bundle importing this one.
const FROM_SOURCE = import.meta.url.endsWith(".ts");
const WORKER_TS = new URL("./sandboxWorker.ts", import.meta.url).href;
const WORKER_SCRIPT: string | URL = FROM_SOURCE
  ? `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER_TS)}); });`
  : new URL("./sandbox-worker.mjs", import.meta.url);

interface InFlight {
  id: number;
  resolve(outcomes: RunOutcome[]): void;
  fail(reason: FailureReason, message: string, clock?: true): void;
}

export class Sandbox {
  private worker: Worker | undefined;
  private starting: Promise<Worker> | undefined;
  private inFlight: InFlight | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  /** Engine restarts inside the current worker, and all restarts before it (crashes and replaced workers). */
  private crashesInWorker = 0;
  private earlierRestarts = 0;

  private constructor(private readonly memoryBytes: number) {}

  /** Starts the engine thread (the WebAssembly engine is bundled with the package; no network). */
  static async create(options: { memoryBytes?: number } = {}): Promise<Sandbox> {
    const sandbox = new Sandbox(options.memoryBytes ?? DEFAULT_LIMITS.memoryBytes);
    await sandbox.ensureWorker();
    return sandbox;
  }

  /** How many times the engine had to be replaced: crashed modules and terminated workers. */
  get engineRestarts(): number {
    return this.earlierRestarts + this.crashesInWorker;
  }

  /** Evaluates `program` in a fresh context and calls `call.fn(...call.args)`. */
  async runPure(program: string, call: Call, limits: SandboxLimits = DEFAULT_LIMITS): Promise<RunOutcome> {
    const [outcome] = await this.runPureMany(program, [call], limits);
    return outcome!;
  }

  /**
   * Evaluates `program` once in a fresh context and makes each call in turn (they share that context, as
   * calls into one module would; a pure function cannot tell). Fuel and deadline cover the whole batch.
   */
  async runPureMany(program: string, calls: Call[], limits: SandboxLimits = DEFAULT_LIMITS): Promise<RunOutcome[]> {
    const fail = (reason: FailureReason, message: string): RunOutcome[] => calls.map(() => ({ ok: false, reason, message, ms: 0 }));
    if (program.length > limits.programChars) {
      return fail("input-too-large", `the program has ${program.length} characters; the limit is ${limits.programChars}`);
    }
    if (new Set(calls.map((c) => c.fn)).size > 1) throw new Error("runPureMany: all calls in a batch must name the same function");
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
    const run = this.tail.then(() => this.send({ id: this.nextId++, program, fnName, argsJson, limits }));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async send(request: RunRequest): Promise<RunOutcome[]> {
    const worker = await this.ensureWorker();
    const posted = performance.now();
    worker.ref();
    try {
      return await new Promise<RunOutcome[]>((resolve) => {
        const watchdog = setTimeout(() => {
          // The program kept the engine busy past its deadline: stop the whole thread.
          this.dropWorker();
          this.earlierRestarts++;
          done.fail("timeout", "the program ran past the wall-clock backstop and its engine thread was stopped", true);
        }, request.limits.timeoutMs + WATCHDOG_GRACE_MS);
        const done: InFlight = {
          id: request.id,
          resolve: (outcomes) => {
            clearTimeout(watchdog);
            this.inFlight = undefined;
            resolve(outcomes);
          },
          fail: (reason, message, clock) => {
            done.resolve(request.argsJson.map(() => ({ ok: false, reason, message, ms: performance.now() - posted, ...(clock ? { clock } : {}) })));
          },
        };
        this.inFlight = done;
        worker.postMessage(request);
      });
    } finally {
      this.worker?.unref();
    }
  }

  private ensureWorker(): Promise<Worker> {
    if (this.worker) return Promise.resolve(this.worker);
    this.starting ??= new Promise<Worker>((resolve, reject) => {
      const worker = new Worker(WORKER_SCRIPT, {
        eval: FROM_SOURCE,
        workerData: { memoryBytes: this.memoryBytes },
        // A deeper native stack than the main thread's default, so QuickJS's own stack check trips first
        // more often; a small V8 heap, since the engine's memory is the WebAssembly module's, not V8's.
        resourceLimits: { stackSizeMb: 8, maxOldGenerationSizeMb: 256 },
      });
      const startFailed = (error: Error) => {
        this.starting = undefined;
        reject(
          new CultureLabError("sandbox-unavailable", `the sandbox engine thread did not start: ${error.message}`, "Reinstall the extension or rebuild with `npm run build`.", { cause: error }),
        );
      };
      worker.once("error", startFailed);
      worker.on("message", (message: EngineMessage) => {
        if (message.type === "ready") {
          worker.off("error", startFailed);
          worker.on("error", (error) => this.workerDied(worker, `it failed: ${error.message}`));
          worker.on("exit", (code) => this.workerDied(worker, `it exited with code ${code}`));
          worker.unref();
          this.worker = worker;
          this.starting = undefined;
          resolve(worker);
        } else if (this.inFlight?.id === message.id) {
          if (message.type === "done") {
            this.crashesInWorker = message.engineRestarts;
            this.inFlight.resolve(message.outcomes);
          } else {
            this.inFlight.fail("engine-crash", `the sandbox engine failed: ${message.message}`);
          }
        }
      });
    });
    return this.starting;
  }

  /** An engine thread that died by itself (not by the watchdog): fail what it was running, start afresh. */
  private workerDied(worker: Worker, why: string): void {
    if (worker !== this.worker) return;
    this.dropWorker();
    this.earlierRestarts++;
    this.inFlight?.fail("engine-crash", `the sandbox engine thread stopped (${why}); it has been restarted`);
  }

  private dropWorker(): void {
    const worker = this.worker;
    this.worker = undefined;
    // Each engine thread counts its own crashes from zero; keep the total.
    this.earlierRestarts += this.crashesInWorker;
    this.crashesInWorker = 0;
    void worker?.terminate();
  }

  /** Stops the engine thread; a run still in flight fails. The sandbox starts a new thread if used again. */
  dispose(): void {
    this.dropWorker();
    this.inFlight?.fail("engine-crash", "the sandbox was disposed during the run");
  }
}

/** What code that only runs programs needs of a sandbox (lets a test stand in a double where it must). */
export type PureRunner = Pick<Sandbox, "runPure" | "runPureMany">;
