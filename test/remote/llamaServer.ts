// A real llama-server for the integration tests and bench:remote: the binary built once from node-llama-cpp's
// bundled llama.cpp source (agents/remote/llamaServerBuild.ts), started on loopback with a free port and stopped
// (or killed and restarted on the same port) by its owner.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { CultureLabError } from "../../workspace-kb/errors";
import { llamaServerBinary } from "../../agents/remote/llamaServerBuild";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The binary, or why there is none. A missing build tool is the user's machine, not a bug: outside CI the
 * caller may skip with the reason; in CI (CI=true) the tests must fail, so the binary is required there.
 */
export async function llamaServerOrWhyNot(log: (line: string) => void): Promise<{ binary: string } | { missing: string }> {
  try {
    return { binary: await llamaServerBinary(log) };
  } catch (error) {
    if (error instanceof CultureLabError && error.code === "native-build-tools" && process.env.CI !== "true") return { missing: error.explain() };
    throw error;
  }
}

export interface LlamaServerOptions {
  model: string;
  /** Slots decoding at once (llama-server --parallel); requests beyond them queue in the server. */
  slots: number;
  threads: number;
  contextPerSlot?: number;
  port?: number;
}

export class LlamaServer {
  private child: ChildProcess | undefined;
  private readonly lines: string[] = [];

  private constructor(
    private readonly binary: string,
    private readonly options: LlamaServerOptions & { port: number },
  ) {}

  static async start(binary: string, options: LlamaServerOptions): Promise<LlamaServer> {
    const server = new LlamaServer(binary, { ...options, port: options.port ?? (await freePort()) });
    await server.launch();
    return server;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.options.port}/v1`;
  }

  /** The server's last log lines, for a failure message. */
  tail(): string {
    return this.lines.slice(-15).join("\n");
  }

  async launch(): Promise<void> {
    const o = this.options;
    const args = ["-m", o.model, "--host", "127.0.0.1", "--port", String(o.port), "--parallel", String(o.slots), "--threads", String(o.threads), "--ctx-size", String((o.contextPerSlot ?? 1024) * o.slots), "--no-webui", "--embeddings"];
    const child = spawn(this.binary, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.setEncoding("utf8");
      stream.on("data", (text: string) => {
        this.lines.push(...text.split("\n").filter(Boolean));
        if (this.lines.length > 200) this.lines.splice(0, this.lines.length - 200);
      });
    }
    const exited = new Promise<never>((_, reject) => child.once("exit", (code, signal) => reject(new Error(`llama-server exited (${signal ?? code}) before it was ready:\n${this.tail()}`))));
    exited.catch(() => undefined);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ready = await fetch(`http://127.0.0.1:${o.port}/health`).then((r) => r.ok, () => false);
      if (ready) return;
      if (Date.now() > deadline) throw new Error(`llama-server did not become ready in 60 s:\n${this.tail()}`);
      await Promise.race([new Promise((r) => setTimeout(r, 100)), exited]);
    }
  }

  /** Kills the process at once (SIGKILL: a crash, not a shutdown) and waits for it to be gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await gone;
  }

  async stop(): Promise<void> {
    await this.kill();
    this.child = undefined;
  }
}
