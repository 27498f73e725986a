// A CliIO that records what a command printed, for asserting on it.
import type { CliIO } from "../../agents/cli/command";

export function captureIO(cwd = process.cwd()): CliIO & { stdout(): string; stderr(): string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    cwd,
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    stdout: () => out.join("\n"),
    stderr: () => err.join("\n"),
  };
}
