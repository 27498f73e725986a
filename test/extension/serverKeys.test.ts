// Server API keys as the editor finds them for a session (extension/serverKeys.ts): the environment wins, VS Code's
// secret storage fills what it lacks, a key in neither stops the session before it starts with the command to
// run, and a found key reaches the engine process's environment only — checked end to end with a real engine
// process and the scripted test double of a server, which sees the key while no log line, manifest or error does.
import assert from "node:assert/strict";
import { EngineClient } from "../../agents/engine/engineClient";
import { runtimeAddAgent, runtimeManifest, runtimeOpen } from "../../agents/engine/protocol";
import { CultureLabError } from "../../workspace-kb/errors";
import { describeKeySources, engineLacks, keysNeeded, MissingKeys, resolveKeys } from "../../extension/serverKeys";
import { FakeServer, json } from "../remote/fakeServer";
import { tinyModelDir, type TinyModelDir } from "../runtime/tinyModel";

const KEY = "sk-test-3f9a1c77e2-do-not-leak";
const server = (baseUrl: string, apiKeyEnv?: string) => ({ backend: "openai" as const, baseUrl, model: "m", ...(apiKeyEnv ? { apiKeyEnv } : {}) });
const stored = (keys: Record<string, string>) => (name: string) => Promise.resolve(keys[name]);

describe("the API keys a session's agents on servers need", () => {
  it("are the apiKeyEnv names of its population, each once with the servers it is for", () => {
    const needs = keysNeeded({
      population: {
        size: 4,
        agents: [{ model: server("http://a:8000/v1", "VLLM_KEY") }, { model: server("http://b:1234/v1", "VLLM_KEY") }, { model: server("http://c:11434/v1") }, { model: "tiny" }],
      },
    });
    assert.deepEqual(needs, [{ name: "VLLM_KEY", servers: ["http://a:8000/v1", "http://b:1234/v1"] }]);
  });

  it("are none for a local population, and none for a configuration the engine will refuse with its own explanation", () => {
    assert.deepEqual(keysNeeded({}), []);
    assert.deepEqual(keysNeeded({ population: { agents: [{ model: { ...server("http://a/v1", "K"), apiKey: "sk-inline" } }] } }), []);
  });
});

describe("finding a server's API key for the engine", () => {
  const needs = [{ name: "CL_TEST_SERVER_KEY", servers: ["http://127.0.0.1:8080/v1"] }];

  it("takes the environment's key when it is set: the engine inherits it and nothing is added", async () => {
    const resolved = await resolveKeys(needs, { env: { CL_TEST_SERVER_KEY: "from-env" }, stored: stored({ CL_TEST_SERVER_KEY: KEY }) });
    assert.deepEqual(resolved.engineEnv, {});
    assert.deepEqual(resolved.sources, [{ name: "CL_TEST_SERVER_KEY", from: "environment" }]);
  });

  it("fills a key the environment lacks from the secret storage, for the engine's environment only", async () => {
    const resolved = await resolveKeys(needs, { env: {}, stored: stored({ CL_TEST_SERVER_KEY: KEY }) });
    assert.deepEqual(resolved.engineEnv, { CL_TEST_SERVER_KEY: KEY });
    assert.equal(describeKeySources(resolved), "Server API keys: CL_TEST_SERVER_KEY from the secret storage.");
  });

  it("stops before the session with a message naming the variable, its server and the command that stores a key", async () => {
    await assert.rejects(resolveKeys(needs, { env: { CL_TEST_SERVER_KEY: "" }, stored: stored({}) }), (e: unknown) => {
      assert.ok(e instanceof MissingKeys && e instanceof CultureLabError);
      assert.deepEqual(e.missing.map((m) => m.name), ["CL_TEST_SERVER_KEY"]);
      assert.match(e.message, /CL_TEST_SERVER_KEY \(for http:\/\/127\.0\.0\.1:8080\/v1\), which is not set, and VS Code's secret storage holds no key/);
      assert.match(e.hint ?? "", /Run "Culture Lab: Set Server API Key…" and enter CL_TEST_SERVER_KEY/);
      return true;
    });
  });

  it("never puts a key in what is logged or shown", async () => {
    const resolved = await resolveKeys(
      [...needs, { name: "OTHER_KEY", servers: ["http://h/v1"] }],
      { env: { OTHER_KEY: "sk-env-secret" }, stored: stored({ CL_TEST_SERVER_KEY: KEY }) },
    );
    const line = describeKeySources(resolved)!;
    assert.match(line, /CL_TEST_SERVER_KEY from the secret storage, OTHER_KEY from the environment/);
    assert.ok(!line.includes(KEY) && !line.includes("sk-env-secret"));
  });

  it("restarts the engine only when it lacks a needed key or has another value for it", () => {
    assert.equal(engineLacks({}, {}), false);
    assert.equal(engineLacks({ A: "1" }, {}), false, "a session needing no key reuses the engine");
    assert.equal(engineLacks({ A: "1" }, { A: "1" }), false);
    assert.equal(engineLacks({ A: "1" }, { A: "2" }), true, "a changed key");
    assert.equal(engineLacks({}, { A: "1" }), true);
  });
});

describe("a key from the secret storage in the engine process", function () {
  this.timeout(60_000);
  let tiny: TinyModelDir;
  let fake: FakeServer;
  let baseUrl: string;
  let client: EngineClient | undefined;
  const logged: string[] = [];

  before(async () => {
    assert.equal(process.env.CL_TEST_SECRET_KEY, undefined, "the test process itself has no such variable");
    tiny = await tinyModelDir("cl-keys-");
    fake = new FakeServer(() => undefined);
    fake.scriptsModels = true;
    fake.handler = (req, res) => {
      if (req.headers.authorization !== `Bearer ${KEY}`) return json(res, 401, { error: { message: "Invalid API Key" } });
      json(res, 200, { object: "list", data: [{ id: "m" }] });
    };
    baseUrl = await fake.start();
  });
  after(async () => {
    await client?.dispose();
    await fake.stop();
    await tiny.cleanup();
  });

  it("reaches the server as the Bearer token, while the engine's log and the manifest never contain it", async () => {
    const { engineEnv } = await resolveKeys([{ name: "CL_TEST_SECRET_KEY", servers: [baseUrl] }], { env: process.env, stored: stored({ CL_TEST_SECRET_KEY: KEY }) });
    client = await EngineClient.start({ env: engineEnv, onLog: (line) => logged.push(line) });
    await client.request(runtimeOpen, { config: { model: tiny.modelPath, modelsDir: tiny.dir, gpu: false, threads: 1 } });
    await client.request(runtimeAddAgent, { spec: { id: "remote", model: server(baseUrl, "CL_TEST_SECRET_KEY") } });
    assert.equal(fake.seen.at(-1)!.headers.authorization, `Bearer ${KEY}`, "the server got the key");
    const manifest = JSON.stringify(await client.request(runtimeManifest, {}));
    assert.ok(!manifest.includes(KEY), "the manifest has no key");
    assert.ok(!logged.join("\n").includes(KEY), "the engine's log has no key");
    assert.equal(process.env.CL_TEST_SECRET_KEY, undefined, "the editor's own environment is untouched");
  });

  it("without the key, the engine refuses the server's agent before any call, naming the variable and the command", async () => {
    await client?.dispose();
    client = await EngineClient.start({ onLog: (line) => logged.push(line) });
    await client.request(runtimeOpen, { config: { model: tiny.modelPath, modelsDir: tiny.dir, gpu: false, threads: 1 } });
    await assert.rejects(client.request(runtimeAddAgent, { spec: { id: "remote", model: server(baseUrl, "CL_TEST_SECRET_KEY") } }), (e: unknown) => {
      assert.ok(e instanceof CultureLabError);
      assert.match(e.message, /CL_TEST_SECRET_KEY, which is not set/);
      assert.match(e.hint ?? "", /Set Server API Key/);
      return true;
    });
  });
});
