// The client side of the engine: spawns the engine process (from source with tsx in development, dist/engine.mjs
// when bundled), talks JSON-RPC to it over a private pipe, turns its death into a clear CultureLabError for
// every waiting and later call, and restarts it on request. Used by the CLI, the editor and the tests.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import type { Duplex } from "node:stream";
import { fileURLToPath } from "node:url";
import { CancellationTokenSource, createMessageConnection, StreamMessageReader, StreamMessageWriter } from "vscode-jsonrpc/node";
import type { MessageConnection, NotificationType, RequestParam, RequestType } from "vscode-jsonrpc/node";
import { CultureLabError } from "../../workspace-kb/errors";
import { decodingProcessEnv } from "./decodingEnv";
import { fromResponseError } from "./engineErrors";
import { engineHeartbeat, engineHello, engineShutdown } from "./protocol";
import type { EngineErrorData, EngineInfo } from "./protocol";

export interface EngineCommand {
  executable: string;
  args: string[];
  cwd: string;
}

export interface EngineClientOptions {
  command?: EngineCommand;
  env?: NodeJS.ProcessEnv;
  /** The engine's stderr, line by line (llama.cpp's native prints land here too). */
  onLog?: (line: string) => void;
  /**
   * How long the engine may send nothing (it sends a heartbeat every second) before a waiting call fails as
   * not responding; 30 s unless set.
   */
  silenceMs?: number;
}

const DEFAULT_SILENCE_MS = 30_000;

export interface EngineExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the client asked it to stop. */
  expected: boolean;
}

interface Running {
  child: ChildProcess;
  connection: MessageConnection;
  /** Rejects with the engine-died error when the process ends unasked. */
  death: Promise<never>;
  exited: Promise<EngineExit>;
  stopping: boolean;
  /** performance.now() when the engine last sent anything we noticed (a heartbeat, a notification, a reply). */
  lastHeard: number;
}

export class EngineClient {
  private running: Running | undefined;
  private lastExit: EngineExit | undefined;
  private launchedPid: number | undefined;
  private readonly notificationHandlers: Array<[NotificationType<unknown>, (params: unknown) => void]> = [];
  private readonly exitListeners = new Set<(exit: EngineExit) => void>();

  private constructor(private readonly options: EngineClientOptions) {}

  static async start(options: EngineClientOptions = {}): Promise<EngineClient> {
    const client = new EngineClient(options);
    await client.launch();
    return client;
  }

  /** The engine's process id, or undefined while it is not running. */
  get pid(): number | undefined {
    return this.running?.child.pid;
  }

  /** The id of the engine process started last, running or not (to clean up after it once it is gone). */
  get lastPid(): number | undefined {
    return this.launchedPid;
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  async request<P, R>(type: RequestType<P, R, EngineErrorData>, params: P, signal?: AbortSignal): Promise<R> {
    const running = this.running;
    if (!running) throw this.diedError();
    const cancel = new CancellationTokenSource();
    const onAbort = () => cancel.cancel();
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted) cancel.cancel(); // stopped before the request was even sent: the engine stops at once
    const silence = this.watchSilence(running);
    try {
      // RequestParam<P> is conditional on P, which TypeScript cannot resolve for a generic P.
      const reply = running.connection.sendRequest(type, params as RequestParam<P>, cancel.token);
      const result = await Promise.race([reply, running.death, silence.promise]);
      running.lastHeard = performance.now();
      return result;
    } catch (error) {
      if (error instanceof CultureLabError && error.code === "engine-not-responding") throw error;
      const converted = fromResponseError(error);
      if (converted instanceof CultureLabError) throw converted;
      // A broken connection usually means the process is going: wait briefly to report it as what it is.
      const exit = await Promise.race([running.exited, new Promise<undefined>((r) => setTimeout(r, 2000, undefined))]);
      if (exit) throw exit.expected ? new CultureLabError("engine-stopped", "the engine was stopped.", "Start it again.") : this.diedError(exit);
      throw error;
    } finally {
      silence.stop();
      signal?.removeEventListener("abort", onAbort);
      cancel.dispose();
    }
  }

  /**
   * Rejects once the engine has sent nothing for silenceMs while this call waits. Time this process itself
   * spent suspended (a closed laptop lid stops both) is not counted against the engine.
   */
  private watchSilence(running: Running): { promise: Promise<never>; stop(): void } {
    const limit = this.options.silenceMs ?? DEFAULT_SILENCE_MS;
    const every = Math.min(1000, limit / 4);
    let timer: NodeJS.Timeout | undefined;
    const promise = new Promise<never>((_, reject) => {
      let lastCheck = performance.now();
      timer = setInterval(() => {
        const now = performance.now();
        if (now - lastCheck > every * 3) running.lastHeard = Math.max(running.lastHeard, now - (lastCheck - running.lastHeard)); // we were asleep too
        lastCheck = now;
        if (now - running.lastHeard < limit) return;
        clearInterval(timer);
        const pid = running.child.pid;
        reject(new CultureLabError("engine-not-responding",
          `the engine process ${pid} has sent nothing for ${Math.round((now - running.lastHeard) / 1000)} s: it is suspended (Ctrl-Z, SIGSTOP, a sleeping machine) or stuck.`,
          `If you suspended it, resume it with \`kill -CONT ${pid}\`; if it is stuck, stop it with \`kill -9 ${pid}\` (culture-lab run stops it when it gives up). Every round the knowledge base reported committed is on disk, so running again continues from there.`));
      }, every);
    });
    promise.catch(() => undefined);
    return { promise, stop: () => clearInterval(timer) };
  }

  /** Handlers stay registered across restarts. */
  onNotification<P>(type: NotificationType<P>, handler: (params: P) => void): () => void {
    const entry: [NotificationType<unknown>, (params: unknown) => void] = [type as NotificationType<unknown>, handler as (params: unknown) => void];
    this.notificationHandlers.push(entry);
    this.running?.connection.onNotification(type, handler);
    return () => {
      const at = this.notificationHandlers.indexOf(entry);
      if (at >= 0) this.notificationHandlers.splice(at, 1);
    };
  }

  onExit(listener: (exit: EngineExit) => void): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  /** Stops the engine if it runs and starts a fresh one. State held in the engine (an open runtime) is gone. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** Kills the engine at once (a second Ctrl-C): what it was doing is dropped; committed rounds are on disk. */
  kill(): void {
    const running = this.running;
    if (!running) return;
    running.stopping = true;
    running.child.kill("SIGKILL");
  }

  /** Asks the engine to shut down, and kills it if it does not within `graceMs`. */
  async dispose(graceMs = 5000): Promise<void> {
    await this.stop(graceMs);
  }

  private async stop(graceMs = 5000): Promise<void> {
    const running = this.running;
    if (!running) return;
    running.stopping = true;
    const timer = setTimeout(() => running.child.kill("SIGKILL"), graceMs);
    try {
      await Promise.race([running.connection.sendRequest(engineShutdown, {}), running.exited]).catch(() => undefined);
      await running.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  private async launch(): Promise<void> {
    const command = this.options.command ?? defaultEngineCommand();
    const child = spawn(command.executable, command.args, {
      cwd: command.cwd,
      // fd 3 is the message pipe; stdout and stderr stay free for whatever native code prints.
      stdio: ["ignore", "pipe", "pipe", "pipe"],
      // Its own process group: a Ctrl-C in the terminal reaches only the client, which stops the engine in order.
      // (Otherwise the signal could land while the engine is still loading, before it can ignore it, and kill
      // node-llama-cpp's binary check half-way, which then reads as a broken install.) Windows has no groups.
      detached: process.platform !== "win32",
      // The editor's Node is Electron: this makes it behave as plain Node for the child. Its llama.cpp decodes all
      // run on one thread (see decodingEnv.ts).
      env: decodingProcessEnv({ ...process.env, ...this.options.env, ELECTRON_RUN_AS_NODE: "1" }),
    });
    this.launchedPid = child.pid;
    const channel = child.stdio[3] as Duplex;
    const connection = createMessageConnection(new StreamMessageReader(channel), new StreamMessageWriter(channel));
    const recentLines: string[] = [];
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on("line", (line) => {
        recentLines.push(line);
        if (recentLines.length > 12) recentLines.shift();
        this.options.onLog?.(line);
      });
    }

    let running!: Running;
    const exited = new Promise<EngineExit>((resolveExit) => {
      child.once("exit", (code, signal) => {
        const exit = { code, signal, expected: running.stopping };
        if (this.running === running) this.running = undefined;
        this.lastExit = exit;
        connection.dispose();
        resolveExit(exit);
        for (const listener of this.exitListeners) listener(exit);
      });
    });
    const death = exited.then((exit) => {
      throw exit.expected ? new CultureLabError("engine-stopped", "the engine was stopped.", "Start it again.") : this.diedError(exit);
    });
    death.catch(() => undefined); // observed by each request's race
    running = { child, connection, death, exited, stopping: false, lastHeard: performance.now() };
    connection.onNotification(engineHeartbeat, () => {
      running.lastHeard = performance.now();
    });
    const spawnFailed = new Promise<never>((_, reject) =>
      child.once("error", (error) =>
        reject(new CultureLabError("engine-start-failed", `cannot start the engine (${command.executable}): ${error.message}`, "Check that Node.js is installed and the extension is complete.", { cause: error })),
      ),
    );
    for (const [type, handler] of this.notificationHandlers) connection.onNotification(type, handler);
    connection.listen();
    this.running = running;
    let hello: EngineInfo;
    try {
      hello = await Promise.race([connection.sendRequest(engineHello, {}), death, spawnFailed]);
    } catch (error) {
      if (error instanceof CultureLabError && error.code === "engine-start-failed") throw error;
      // It died before answering: most often a broken install (a missing package or native library).
      const exit = await Promise.race([exited, new Promise<undefined>((r) => setTimeout(r, 2000, undefined))]);
      const how = exit ? (exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`) : "stopped answering";
      const said = recentLines.filter((line) => /error|cannot|not found/i.test(line)).slice(-2).join(" ");
      throw new CultureLabError("engine-start-failed", `the engine process ${how} before it was ready${said ? `: ${said.trim()}` : ""}.`,
        "The installation looks incomplete: reinstall Culture Lab (or run `npm install` in a checkout); the log has the engine's full output.", { cause: error });
    }
    if (hello.pid !== child.pid) throw new CultureLabError("engine-start-failed", "the engine answered from an unexpected process.");
  }

  private diedError(exit: EngineExit | undefined = this.lastExit): CultureLabError {
    const how = exit ? (exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`) : "is not running";
    const cause = exit?.signal === "SIGABRT" ? " (llama.cpp aborted it — often a model file or setting it cannot handle)" : "";
    return new CultureLabError("engine-died", `the engine process ${how}${cause}.`, "Restart the engine; the knowledge base is on disk and intact, the open session must be opened again.");
  }
}

/** Development and tests run the TypeScript entry through tsx; bundles ship dist/engine.mjs next to themselves. */
export function defaultEngineCommand(): EngineCommand {
  const here = currentModuleFile();
  if (here.endsWith(".ts")) {
    const root = resolve(dirname(here), "..", "..");
    return { executable: process.execPath, args: ["--import", "tsx", join(dirname(here), "engineMain.ts")], cwd: root };
  }
  return { executable: process.execPath, args: [join(dirname(here), "engine.mjs")], cwd: dirname(here) };
}

function currentModuleFile(): string {
  // The editor's CommonJS bundle has __filename; the ESM builds (CLI, engine, tests) have import.meta.url.
  return typeof __filename === "string" ? __filename : fileURLToPath(import.meta.url);
}
