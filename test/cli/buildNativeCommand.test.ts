import { strict as assert } from "node:assert";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../agents/cli/main";
import { captureIO } from "../helpers/captureIO";

describe("culture-lab build-native", () => {
  let home: string;
  let saved: string | undefined;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), "cl-build-native-"));
    saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = home;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved;
    rmSync(home, { recursive: true, force: true });
  });

  it("answers a wrong --openmp value in one line with exit code 2, before building anything", async () => {
    const io = captureIO();
    assert.equal(await runCli(["build-native", "--openmp", "maybe"], io), 2);
    assert.match(io.stderr(), /--openmp takes on or off, not 'maybe'/);
    assert.equal(existsSync(join(home, "culture-lab", "native")), false);
  });

  it("removes the native build on --remove, so sessions go back to the prebuilt binaries", async () => {
    const build = join(home, "culture-lab", "native", "build");
    mkdirSync(build, { recursive: true });
    writeFileSync(join(build, "llama-addon.node"), "");
    const io = captureIO();
    assert.equal(await runCli(["build-native", "--remove"], io), 0);
    assert.equal(existsSync(build), false);
    assert.match(io.stdout(), /prebuilt binaries/);
  });
});
