import assert from "node:assert/strict";
import { runCli } from "../../agents/cli/main";
import { captureIO } from "../helpers/captureIO";

describe("the culture-lab command line", () => {
  it("lists its commands when asked for help", async () => {
    const io = captureIO();
    assert.equal(await runCli(["--help"], io), 0);
    assert.match(io.stdout(), /Usage: culture-lab <command>/);
  });

  it("refuses an unknown command with exit code 2 and the help text", async () => {
    const io = captureIO();
    assert.equal(await runCli(["frobnicate"], io), 2);
    assert.match(io.stderr(), /unknown command 'frobnicate'/);
  });
});

describe("a wrong option to any command", () => {
  it("is a usage error in one line with where to find the options, and exit code 2", async () => {
    const io = captureIO();
    assert.equal(await runCli(["run", "--frobnicate"], io), 2);
    assert.equal(io.stderr(), "culture-lab run: unknown option --frobnicate.\nRun `culture-lab run --help` for the options.");
  });
});
