import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getModuleVersion } from "node-llama-cpp";
import { ADDON_FILE, BUILD_INFO_FILE, buildNative, installBuild } from "../../agents/native/nativeBuild";
import type { NativeBuildInfo } from "../../agents/native/nativeBuild";
import { decideBuild, describeBuild, inspectNativeBuild, loadNativeLlama } from "../../agents/runtime/llamaBuild";
import { LlamaLogLevel } from "node-llama-cpp";
import { CultureLabError } from "../../workspace-kb/errors";

const info = (version: string): NativeBuildInfo => ({
  nodeLlamaCpp: version,
  llamaCpp: { repo: "ggml-org/llama.cpp", release: "v0.5.0" },
  openmp: true,
  flags: ["-DGGML_NATIVE=ON", "-DGGML_OPENMP=ON"],
  builtAt: "2026-11-28T10:00:00.000Z",
  buildSeconds: 300,
});

/** A folder that looks like a finished native build; its addon is whatever bytes the test gives. */
function fakeBuild(root: string, version: string, addon = "not a shared object"): string {
  const dir = join(root, "build");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, BUILD_INFO_FILE), JSON.stringify(info(version)));
  writeFileSync(join(dir, ADDON_FILE), addon);
  writeFileSync(join(dir, "_nlcBuildMetadata.json"), JSON.stringify({ buildOptions: { customCmakeOptions: {}, platform: "linux", arch: "x64", gpu: false, llamaCpp: info(version).llamaCpp } }));
  return dir;
}

describe("choosing the llama.cpp build the runtime loads", () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), "cl-build-"))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("finds no native build where none was made, and a usable one where a complete build for this version is", () => {
    assert.deepEqual(inspectNativeBuild(join(root, "build"), "3.22.1"), { state: "none" });
    const dir = fakeBuild(root, "3.22.1");
    assert.equal(inspectNativeBuild(dir, "3.22.1").state, "usable");
  });

  it("does not use a build that lacks its record, its addon, or was made for another node-llama-cpp version", () => {
    const dir = fakeBuild(root, "3.21.0");
    const stale = inspectNativeBuild(dir, "3.22.1");
    assert.equal(stale.state, "unusable");
    assert.match(stale.state === "unusable" ? stale.reason : "", /built for node-llama-cpp 3\.21\.0, and 3\.22\.1 is installed/);
    rmSync(join(dir, ADDON_FILE));
    writeFileSync(join(dir, BUILD_INFO_FILE), JSON.stringify(info("3.22.1")));
    assert.match(JSON.stringify(inspectNativeBuild(dir, "3.22.1")), /llama-addon.node is missing/);
    writeFileSync(join(dir, BUILD_INFO_FILE), "{ half written");
    assert.match(JSON.stringify(inspectNativeBuild(dir, "3.22.1")), /missing or unreadable/);
  });

  it("takes the native build for a CPU runtime when one is usable, the prebuilt one otherwise, and warns only when a build exists but is unusable", () => {
    const usable = { state: "usable" as const, dir: "/x", info: info("3.22.1") };
    assert.equal(decideBuild("auto", usable, false).use, "native");
    assert.deepEqual(decideBuild("auto", { state: "none" }, false), { use: "prebuilt", why: "no native build (`culture-lab build-native` makes one)" });
    const broken = decideBuild("auto", { state: "unusable", dir: "/x", reason: "it was built for node-llama-cpp 3.21.0" }, false);
    assert.equal(broken.use, "prebuilt");
    assert.match(broken.use === "prebuilt" ? (broken.warning ?? "") : "", /not used: it was built for node-llama-cpp 3\.21\.0; run `culture-lab build-native`/);
  });

  it("leaves a GPU to the prebuilt binaries under auto, and never looks at the native build when told prebuilt", () => {
    const usable = { state: "usable" as const, dir: "/x", info: info("3.22.1") };
    assert.match(JSON.stringify(decideBuild("auto", usable, true)), /GPU is available/);
    assert.deepEqual(decideBuild("prebuilt", usable, false), { use: "prebuilt", why: "as configured" });
    assert.equal(decideBuild("native", usable, true).use, "native");
  });

  it("refuses runtime.build native without a build, saying how to make one", () => {
    assert.throws(
      () => decideBuild("native", { state: "none" }, false),
      (e: unknown) => e instanceof CultureLabError && e.code === "native-build-missing" && /culture-lab build-native/.test(e.explain()),
    );
  });

  it("says in one line which binary decodes", () => {
    assert.equal(describeBuild({ kind: "native", info: info("3.22.1") }), "native build (v0.5.0, this CPU's instructions, OpenMP thread pool, built 2026-11-28)");
    assert.match(describeBuild({ kind: "prebuilt", why: "as configured" }), /^prebuilt \(node-llama-cpp's generic binaries; as configured\)$/);
  });

  it("refuses to load an addon that does not load in a test process, instead of crashing", async function () {
    this.timeout(60_000);
    const dir = fakeBuild(root, await getModuleVersion());
    await assert.rejects(loadNativeLlama(dir, { maxThreads: 1, logLevel: LlamaLogLevel.warn, logger: () => {} }), /failed to load in a test process/);
  });
});

describe("a native build on disk", () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), "cl-build-"))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("is replaced only by a complete build: the new folder takes the place of the old in one rename", () => {
    const target = fakeBuild(root, "3.21.0");
    const staging = join(root, "staging");
    mkdirSync(staging);
    writeFileSync(join(staging, BUILD_INFO_FILE), JSON.stringify(info("3.22.1")));
    installBuild(staging, target);
    assert.equal(JSON.parse(readFileSync(join(target, BUILD_INFO_FILE), "utf8")).nodeLlamaCpp, "3.22.1");
    assert.deepEqual(execFileSync("ls", [root], { encoding: "utf8" }).trim().split("\n"), ["build"]);
  });

  it("stays as it was when a new build fails (here: cmake missing), with a message saying what to install", async () => {
    const saved = { path: process.env.PATH, cache: process.env.XDG_CACHE_HOME };
    const before = fakeBuild(join(root, "culture-lab", "native"), "3.22.1");
    process.env.PATH = join(root, "no-tools");
    process.env.XDG_CACHE_HOME = root;
    try {
      await assert.rejects(buildNative({ openmp: true }, () => {}), (e: unknown) => e instanceof CultureLabError && e.code === "native-build-tools" && /cmake/.test(e.explain()));
      assert.equal(inspectNativeBuild(before, "3.22.1").state, "usable");
    } finally {
      process.env.PATH = saved.path;
      if (saved.cache === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved.cache;
    }
  });
});

describe("a runtime with a broken native build on the machine", function () {
  this.timeout(120_000);

  it("decodes on the prebuilt binaries and says why, instead of crashing", async () => {
    // In a process of its own: a process loads one kind of llama.cpp binary (see sharedLlama.ts).
    const home = mkdtempSync(join(tmpdir(), "cl-build-home-"));
    try {
      fakeBuild(join(home, "culture-lab", "native"), await getModuleVersion(), "\x7fELF garbage");
      const script = `
        import { openRuntime } from ${JSON.stringify(join(import.meta.dirname, "..", "..", "agents", "runtime", "runtime.ts"))};
        const rt = await openRuntime({ model: "tiny", modelsDir: ${JSON.stringify(join(home, "models"))}, gpu: false, threads: 1 });
        const answer = await (await rt.agent({ id: "a", sampling: { maxTokens: 4 } })).generateText("hi");
        console.log(JSON.stringify({ ...rt.llamaBuild, ok: answer.ok, manifest: (await rt.manifest()).llamaBuild }));
        await rt.dispose();`;
      // A script file, not -e: node-llama-cpp forks test processes with this process's arguments.
      writeFileSync(join(home, "open.mts"), script);
      const out = execFileSync(process.execPath, ["--import", "tsx", join(home, "open.mts")], { encoding: "utf8", env: { ...process.env, XDG_CACHE_HOME: home }, stdio: ["ignore", "pipe", "pipe"] });
      const said = JSON.parse(out.trim().split("\n").at(-1)!) as { description: string; warning?: string; ok: boolean; manifest: string };
      assert.ok(said.ok, "the call was answered");
      assert.match(said.description, /^prebuilt/);
      assert.equal(said.manifest, said.description);
      assert.match(said.warning ?? "", /native llama\.cpp build in .* failed to load .* decoding on the prebuilt binaries/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
