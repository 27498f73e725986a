import { strict as assert } from "node:assert";
import { openRuntime, type Runtime } from "../../agents/runtime/runtime";
import { CultureLabError } from "../../workspace-kb/errors";
import { FakeServer, event, json, sseHead, streamAnswer } from "./fakeServer";

const SCHEMA = { type: "object", properties: { answer: { type: "integer" } }, required: ["answer"], additionalProperties: false };

/** A runtime with no local model: every agent in these tests names the fake server. */
const remoteOnly = () => openRuntime({ model: "tiny", threads: 1, gpu: false }, { loadDefaultModel: false });

describe("agents on an OpenAI-compatible server (against a scripted fake server)", function () {
  this.timeout(20_000);
  let fake: FakeServer;
  let baseUrl: string;
  let runtime: Runtime;
  const remote = (extra: Record<string, unknown> = {}) => ({ backend: "openai" as const, baseUrl, model: "fake-model", retryBaseMs: 5, ...extra });

  beforeEach(async () => {
    fake = new FakeServer((_req, res) => streamAnswer(res, ["Hel", "lo"]));
    baseUrl = await fake.start();
    runtime = await remoteOnly();
  });
  afterEach(async () => {
    await runtime.dispose();
    await fake.stop();
  });

  it("streams the answer, sends persona, sampling and seed, and accounts the server's token counts", async () => {
    const agent = await runtime.agent({ id: "a", model: remote(), persona: "You are terse.", sampling: { temperature: 0.3, topP: 0.9, seed: 5 } });
    const result = await agent.generateText("Say hello", { maxTokens: 12, seed: 42 });
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.text, "Hello");
    const body = fake.chats()[0]!.body!;
    assert.deepEqual(body.messages, [
      { role: "system", content: "You are terse." },
      { role: "user", content: "Say hello" },
    ]);
    assert.equal(body.temperature, 0.3);
    assert.equal(body.top_p, 0.9);
    assert.equal(body.seed, 42);
    assert.equal(body.max_tokens, 12);
    assert.equal(body.stream, true);
    assert.equal(result.usage.completionTokens, 2);
    assert.equal(result.usage.promptTokens, 7);
    assert.equal(runtime.accounting().agents.a?.completionTokens, 2);
    assert.equal(result.usage.flops, 2 * 1000 * (7 + 2), "parameters come from the server's /models meta");
  });

  it("asks for JSON with response_format's schema and still checks the answer at the door", async () => {
    fake.handler = (_req, res) => streamAnswer(res, ['{"answer":', '"seven"}']);
    const agent = await runtime.agent({ id: "a", model: remote() });
    const result = await agent.generateJson("How many?", SCHEMA);
    assert.equal(fake.chats()[0]!.body!.response_format && (fake.chats()[0]!.body!.response_format as { type: string }).type, "json_schema");
    assert.deepEqual((fake.chats()[0]!.body!.response_format as { json_schema: { schema: unknown } }).json_schema.schema, SCHEMA);
    assert.ok(!result.ok && result.failure === "schema-mismatch", JSON.stringify(result));
    fake.handler = (_req, res) => streamAnswer(res, ['{"answer":', "7}"]);
    const good = await agent.generateJson<{ answer: number }>("How many?", SCHEMA);
    assert.ok(good.ok && good.value.answer === 7);
  });

  it("uses llama-server's own json_schema field when configured so", async () => {
    fake.handler = (_req, res) => streamAnswer(res, ['{"answer":7}']);
    const agent = await runtime.agent({ id: "a", model: remote({ structuredOutput: "json_schema" }) });
    assert.ok((await agent.generateJson("How many?", SCHEMA)).ok);
    assert.deepEqual(fake.chats()[0]!.body!.json_schema, SCHEMA);
    assert.equal(fake.chats()[0]!.body!.response_format, undefined);
  });

  it("an answer cut at the length limit under a schema is reported as truncated", async () => {
    fake.handler = (_req, res) => streamAnswer(res, ['{"answer":'], "length");
    const agent = await runtime.agent({ id: "a", model: remote() });
    const result = await agent.generateJson("How many?", SCHEMA);
    assert.ok(!result.ok && result.failure === "truncated", JSON.stringify(result));
  });

  it("a wrong content type fails the call at once with a message about baseUrl, and the session can go on", async () => {
    fake.handler = (_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html>welcome</html>");
    };
    const agent = await runtime.agent({ id: "a", model: remote() });
    const result = await agent.generateText("hi");
    assert.ok(!result.ok && result.failure === "server-error", JSON.stringify(result));
    assert.match(result.message, /content type "text\/html"[\s\S]*API root/);
    assert.equal(fake.chats().length, 1, "not retried: asking again cannot help");
    fake.handler = (_req, res) => streamAnswer(res, ["ok"]);
    assert.ok((await agent.generateText("again")).ok, "the agent answers its next call");
    assert.equal(runtime.accounting().agents.a?.calls, 2, "the failed attempt is recorded");
  });

  it("a stream cut before the answer ends is retried up to the cap, then recorded as failed", async () => {
    fake.handler = (_req, res) => {
      sseHead(res);
      event(res, { choices: [{ delta: { content: "Hal" }, finish_reason: null }] });
      res.end();
    };
    const agent = await runtime.agent({ id: "a", model: remote({ retries: 2 }) });
    const result = await agent.generateText("hi");
    assert.ok(!result.ok && result.failure === "server-error", JSON.stringify(result));
    assert.match(result.message, /ended its stream before the answer was complete[\s\S]*gave up after 3 attempts/);
    assert.equal(fake.chats().length, 3);
  });

  it("an event that is not JSON fails the call with the server's words", async () => {
    fake.handler = (_req, res) => {
      sseHead(res);
      event(res, "{not json");
      res.end();
    };
    const agent = await runtime.agent({ id: "a", model: remote() });
    const result = await agent.generateText("hi");
    assert.ok(!result.ok && result.failure === "server-error");
    assert.match(result.message, /event that is not JSON: "\{not json"/);
  });

  it("a server that hangs is given up after the idle timeout instead of hanging the session", async () => {
    fake.handler = () => undefined; // accepts the request and never answers
    const agent = await runtime.agent({ id: "a", model: remote({ idleTimeoutMs: 300 }) });
    const result = await agent.generateText("hi");
    assert.ok(!result.ok && result.failure === "server-error", JSON.stringify(result));
    assert.match(result.message, /sent nothing for 0.3 s[\s\S]*idleTimeoutMs/);
  });

  it("a server that stops sending mid-stream is given up after the idle timeout", async () => {
    fake.handler = (_req, res) => {
      sseHead(res);
      event(res, { choices: [{ delta: { content: "Hal" }, finish_reason: null }] });
    };
    const agent = await runtime.agent({ id: "a", model: remote({ idleTimeoutMs: 300 }) });
    const result = await agent.generateText("hi");
    assert.ok(!result.ok && /sent nothing/.test(result.message), JSON.stringify(result));
  });

  it("a 503 or 429 is retried with backoff (honouring Retry-After) and the answer then arrives", async () => {
    fake.handler = (_req, res, n) => {
      if (fake.chats().length === 1) return json(res, 503, { error: { message: "loading model" } });
      if (fake.chats().length === 2) {
        res.writeHead(429, { "content-type": "application/json", "retry-after": "1" });
        return void res.end('{"error":"slow down"}');
      }
      void n;
      streamAnswer(res, ["fine"]);
    };
    const agent = await runtime.agent({ id: "a", model: remote() });
    const started = performance.now();
    const result = await agent.generateText("hi");
    assert.ok(result.ok && result.text === "fine", JSON.stringify(result));
    assert.equal(fake.chats().length, 3);
    assert.ok(performance.now() - started >= 950, "waited the second Retry-After asked for");
  });

  it("a 401 at the start stops the session before it begins, saying where the key is read from", async () => {
    fake.scriptsModels = true;
    fake.handler = (_req, res) => json(res, 401, { error: { message: "Invalid API Key" } });
    process.env.CL_TEST_KEY = "sk-secret-123";
    try {
      await assert.rejects(runtime.agent({ id: "a", model: remote({ apiKeyEnv: "CL_TEST_KEY" }) }), (e: unknown) => {
        assert.ok(e instanceof CultureLabError && e.code === "remote-unauthorized", String(e));
        assert.match(e.explain(), /401[\s\S]*Invalid API Key[\s\S]*apiKeyEnv/);
        assert.doesNotMatch(e.explain(), /sk-secret/);
        return true;
      });
      assert.equal(fake.seen.length, 1, "a refused key is not retried");
      assert.equal(fake.seen[0]!.headers.authorization, "Bearer sk-secret-123");
    } finally {
      delete process.env.CL_TEST_KEY;
    }
  });

  it("an API key variable that is not set is named in the error", async () => {
    await assert.rejects(runtime.agent({ id: "a", model: remote({ apiKeyEnv: "CL_TEST_UNSET_KEY" }) }), /CL_TEST_UNSET_KEY, which is not set/);
  });

  it("a server that is down at the start is retried, then refused with what to do", async () => {
    const port = fake.port;
    await fake.stop();
    await assert.rejects(runtime.agent({ id: "a", model: { backend: "openai", baseUrl: `http://127.0.0.1:${port}/v1`, model: "m", retries: 1, retryBaseMs: 5 } }), (e: unknown) => {
      assert.ok(e instanceof CultureLabError && e.code === "remote-unreachable", String(e));
      assert.match(e.explain(), /ECONNREFUSED[\s\S]*gave up after 2 attempts[\s\S]*start the inference server/);
      return true;
    });
  });

  it("an abort in the middle of a stream ends the call at once and closes the connection", async () => {
    let closed = false;
    fake.handler = (req, res) => {
      sseHead(res);
      event(res, { choices: [{ delta: { content: "Hal" }, finish_reason: null }] });
      res.on("close", () => (closed = true));
      void req;
    };
    const agent = await runtime.agent({ id: "a", model: remote() });
    const controller = new AbortController();
    const pending = agent.generateText("hi", { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 100));
    controller.abort();
    const result = await pending;
    assert.ok(!result.ok && result.failure === "aborted", JSON.stringify(result));
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(closed, "the server saw the connection closed");
  });

  it("agents on one server never have more requests in flight than its maxConcurrent", async () => {
    fake.handler = async (_req, res) => {
      await new Promise((r) => setTimeout(r, 30));
      streamAnswer(res, ["x"]);
    };
    const agents = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => runtime.agent({ id: `a${i}`, model: remote({ maxConcurrent: 2 }) })));
    const results = await Promise.all(agents.flatMap((a) => [a.generateText("1"), a.generateText("2")]));
    assert.ok(results.every((r) => r.ok));
    assert.equal(fake.maxInFlight, 2);
  });

  it("a call cancelled while it waits for the server's limit leaves the others waiting in order", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    fake.handler = async (_req, res) => {
      await gate;
      streamAnswer(res, ["x"]);
    };
    const [a, b, c] = await Promise.all(["a", "b", "c"].map((id) => runtime.agent({ id, model: remote({ maxConcurrent: 1 }) })));
    const first = a!.generateText("1");
    await new Promise((r) => setTimeout(r, 50));
    const cancelled = new AbortController();
    cancelled.abort();
    const waiting = c!.generateText("3");
    const gone = await b!.generateText("2", { signal: cancelled.signal });
    assert.ok(!gone.ok && gone.failure === "aborted");
    release();
    assert.ok((await first).ok && (await waiting).ok, "the call queued behind the cancelled one is still answered");
  });

  it("embeddings come from the server's /embeddings when every agent runs on a server", async () => {
    fake.handler = (req, res) =>
      json(res, 200, { data: (req.body!.input as string[]).map((t, index) => ({ index, embedding: [t.length, 1] })).reverse() });
    await runtime.agent({ id: "a", model: remote() });
    assert.deepEqual(await runtime.embed(["ab", "abc"]), [
      [2, 1],
      [3, 1],
    ]);
  });

  it("the manifest names each agent's backend, model and server, says reproducibility is best effort, and holds no key", async () => {
    process.env.CL_TEST_KEY = "sk-secret-456";
    try {
      const agent = await runtime.agent({ id: "a", model: remote({ apiKeyEnv: "CL_TEST_KEY" }) });
      await agent.generateText("hi");
      const manifest = await runtime.manifest();
      assert.deepEqual(
        manifest.agents.map((a) => [a.id, a.backend, a.model, "baseUrl" in a ? a.baseUrl : "", "servedModel" in a ? a.servedModel : ""]),
        [["a", "openai", "fake-model", baseUrl, "fake-model"]],
      );
      assert.match(manifest.reproducibility, /^best effort/);
      assert.doesNotMatch(JSON.stringify(manifest), /sk-secret/);
    } finally {
      delete process.env.CL_TEST_KEY;
    }
  });
});
