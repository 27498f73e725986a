// Where the recorded panel messages live and their shape (written by recordPanelFixture.ts, read by the tests).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RunData, RunListing, ToPanel } from "../../webview/protocol";

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures");

/**
 * The scripted double has no weights; the recorded manifests state this parameter count for it so the FLOPs
 * estimate (2 × parameters × tokens of the recorded calls) is drawn and can be checked. A test input, not a measurement.
 */
export const STATED_PARAMETERS = 1_000_000;

/** A recorded workspace: its runs, each run's figures, and the live message stream of its first run. */
export interface PanelFixture {
  recordedBy: string;
  runs: RunListing[];
  runData: RunData[];
  /** What the extension would have sent while the first run played, in order. */
  live: ToPanel[];
}

export function loadFixture(name: "accumulating" | "collapsing"): PanelFixture {
  return JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), "utf8")) as PanelFixture;
}
