// A test double for an OpenAI-compatible inference server (named as such): an in-process node:http server whose
// answer to each request is scripted by the test, so every way a real server can misbehave is reproduced
// exactly and fast. The real server is tested in llamaServer.test.ts.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: Record<string, unknown> | undefined;
}

export type Handler = (req: Seen, res: ServerResponse, n: number) => void | Promise<void>;

export class FakeServer {
  readonly seen: Seen[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<import("node:net").Socket>();

  constructor(public handler: Handler) {}

  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  get port(): number {
    return (this.server!.address() as AddressInfo).port;
  }

  chats(): Seen[] {
    return this.seen.filter((s) => s.url.endsWith("/chat/completions"));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const seen = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined };
    this.seen.push(seen);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    res.on("close", () => this.inFlight--);
    if (seen.url.endsWith("/models") && !this.scriptsModels) return json(res, 200, { object: "list", data: [{ id: "fake-model", meta: { n_params: 1000 } }] });
    await this.handler(seen, res, this.seen.length);
  }

  /** When true, GET /models goes to the handler too (to script a 401 or a down server at the start). */
  scriptsModels = false;

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

export function sseHead(res: ServerResponse): void {
  res.writeHead(200, { "content-type": "text/event-stream" });
}

export const event = (res: ServerResponse, data: unknown) => res.write(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);

/** A well-formed streamed answer: one event per piece, a finish reason, usage, [DONE]. */
export function streamAnswer(res: ServerResponse, pieces: string[], finish = "stop", usage = { prompt_tokens: 7, completion_tokens: pieces.length }): void {
  sseHead(res);
  for (const p of pieces) event(res, { model: "fake-model", choices: [{ index: 0, delta: { content: p }, finish_reason: null }] });
  event(res, { model: "fake-model", choices: [{ index: 0, delta: {}, finish_reason: finish }] });
  event(res, { model: "fake-model", choices: [], usage });
  event(res, "[DONE]");
  res.end();
}
