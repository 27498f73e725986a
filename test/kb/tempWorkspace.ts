// A fresh workspace folder per test, removed afterwards.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function tempWorkspace(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "culture-kb-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A note as an agent would hand it in; `extra` overrides any field. */
export function note(title: string, text: string, extra: Record<string, unknown> = {}) {
  return { kind: "note" as const, author: "agent-1", generation: 0, title, text, ...extra };
}
