// The record of one run: `.culture/runs/<run-id>/manifest.json` (configuration, models, versions) and
// `calls.jsonl`, every LLM call in order, so `culture-lab replay` can re-run the session and find where it diverges.
import { randomBytes } from "node:crypto";
import { mkdirSync, openSync, writeSync, fsyncSync, closeSync, writeFileSync, renameSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { CultureLabError } from "../../workspace-kb/errors";
import { readCalls } from "./recordedCalls";

export interface CallRecord {
  /** Position of the call in the run, from 0, in the order calls finished (agents run concurrently). */
  seq: number;
  /** Position among this agent's calls, from 0: deterministic, since an agent's calls run one after another. */
  agentSeq: number;
  generation: number;
  agentId: string;
  role: string;
  prompt: string;
  sampling: Record<string, unknown>;
  output: string;
  outcome: string;
  promptTokens: number;
  /** Of the prompt's tokens, the ones decoded for this call, and the ones copied from another agent's sequence. Absent for test doubles and in runs recorded before they existed. */
  promptTokensEvaluated?: number;
  promptTokensCopied?: number;
  completionTokens: number;
  ms: number;
}

export interface RunManifest {
  runId: string;
  startedAt: string;
  /** The knowledge base's last committed round when the run began: replay starts from that state. */
  kbRoundAtStart: number;
  config: unknown;
  models: unknown[];
  /** Per agent: backend, model (and server) — the runtime's manifest entries; absent in older runs. */
  agents?: unknown[];
  /** How far a replay can repeat the run, in words (the runtime says). */
  reproducibility?: string;
  versions: Record<string, string>;
}

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\..*/, "");
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}

export function runDirectory(cultureDir: string, runId: string): string {
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(runId)) {
    throw new CultureLabError("run-id-invalid", `'${runId}' is not a run id.`, "Run ids are folder names under .culture/runs/; list them with `ls .culture/runs`.");
  }
  return join(cultureDir, "runs", runId);
}

export class RunRecorder {
  private readonly fd: number;
  private seq = 0;
  private readonly agentSeq = new Map<string, number>();

  private constructor(
    readonly dir: string,
    private manifest: RunManifest,
  ) {
    this.fd = openSync(join(dir, "calls.jsonl"), "a");
  }

  static create(cultureDir: string, manifest: RunManifest): RunRecorder {
    const dir = runDirectory(cultureDir, manifest.runId);
    mkdirSync(dir, { recursive: true });
    writeManifest(dir, manifest);
    return new RunRecorder(dir, manifest);
  }

  /**
   * Adds the per-agent entries of agents that joined mid-run (turnover) to the manifest, so the run's readers (the
   * live panel, the report) name the backend and model of every agent that played, not only of the first ones.
   * Entries of retired agents stay; an agent's newer entry replaces its older one.
   */
  recordAgents(agents: readonly unknown[]): void {
    const byId = new Map<unknown, unknown>();
    for (const a of [...(this.manifest.agents ?? []), ...agents]) byId.set((a as { id?: unknown }).id, a);
    this.manifest = { ...this.manifest, agents: [...byId.values()] };
    writeManifest(this.dir, this.manifest);
  }

  record(call: Omit<CallRecord, "seq" | "agentSeq">): CallRecord {
    const agentSeq = this.agentSeq.get(call.agentId) ?? 0;
    this.agentSeq.set(call.agentId, agentSeq + 1);
    const full: CallRecord = { seq: this.seq++, agentSeq, ...call };
    writeSync(this.fd, `${JSON.stringify(full)}\n`);
    return full;
  }

  /** Makes the calls so far durable; the loop calls it once per generation, next to the knowledge base's commit. */
  flush(): void {
    fsyncSync(this.fd);
  }

  close(): void {
    fsyncSync(this.fd);
    closeSync(this.fd);
  }
}

/** Written whole and renamed into place: a reader never sees half a manifest. */
function writeManifest(dir: string, manifest: RunManifest): void {
  const temp = join(dir, "manifest.json.tmp");
  writeFileSync(temp, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(temp, join(dir, "manifest.json"));
}

export interface RecordedRun {
  manifest: RunManifest;
  calls: CallRecord[];
  /** Set when the last line was cut short (the run was killed mid-write); the complete lines are kept. */
  tornTail: boolean;
}

/** A run's manifest alone, without reading its calls (listing runs needs no more). */
export function readRunManifest(cultureDir: string, runId: string): RunManifest {
  const manifestPath = join(runDirectory(cultureDir, runId), "manifest.json");
  if (!existsSync(manifestPath)) {
    throw new CultureLabError("run-missing", `No run '${runId}' in ${join(cultureDir, "runs")}.`, "Run ids are the folder names under .culture/runs/.");
  }
  return parseJsonFile(manifestPath) as RunManifest;
}

export function readRun(cultureDir: string, runId: string): RecordedRun {
  const manifest = readRunManifest(cultureDir, runId);
  const { calls, tornTail } = readCalls(join(runDirectory(cultureDir, runId), "calls.jsonl"));
  return { manifest, calls, tornTail };
}

function parseJsonFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new CultureLabError("run-corrupt", `${path} is not valid JSON.`, "The run record was edited or damaged.", { cause: error });
  }
}
