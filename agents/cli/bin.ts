// Process entry of the `culture-lab` binary: wires the real stdout/stderr and exit code to runCli.
import type { CliIO } from "./command";
import { runCli } from "./main";

// A progress line is drawn on the terminal's stderr and wiped before anything else is written, so it never
// mixes into the lines that stay.
let statusShown = false;
const wipe = () => {
  if (statusShown) process.stderr.write("\r\x1b[2K");
  statusShown = false;
};
const line = (text: string) => (text.endsWith("\n") ? text : `${text}\n`);
const io: CliIO = {
  out: (text) => {
    wipe();
    process.stdout.write(line(text));
  },
  err: (text) => {
    wipe();
    process.stderr.write(line(text));
  },
  cwd: process.cwd(),
  status: process.stderr.isTTY
    ? (text) => {
        wipe();
        if (text === undefined) return;
        process.stderr.write(text.slice(0, Math.max(20, (process.stderr.columns ?? 80) - 1)));
        statusShown = true;
      }
    : undefined,
};

runCli(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
    // The command has stopped and cleaned up: a Ctrl-C or SIGTERM while the process winds down must not turn
    // its exit code into a death by that signal (signal handlers do not keep the process alive).
    process.on("SIGINT", () => undefined);
    process.on("SIGTERM", () => undefined);
  },
  (error: unknown) => {
    // A bug, not bad input: show the stack so it can be reported.
    process.stderr.write(`culture-lab: internal error — please report it.\n${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 70;
  },
);
