// Process entry of the `culture-lab` binary: wires the real stdout/stderr and exit code to runCli.
import type { CliIO } from "./command";
import { runCli } from "./main";

const io: CliIO = {
  out: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
  cwd: process.cwd(),
};

runCli(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A bug, not bad input: show the stack so it can be reported.
    process.stderr.write(`culture-lab: internal error — please report it.\n${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 70;
  },
);
