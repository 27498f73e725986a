// `culture-lab kb <status|rebuild|search|show>`: look into a workspace's knowledge base without the editor, and
// rebuild kb.json from events.jsonl when it is damaged.
import { readdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { CultureLabError } from "../../workspace-kb/errors";
import { nearestName } from "../loop/nearestName";
import { kbPaths, openKnowledgeBaseReadOnly, rebuildKnowledgeBase } from "../../workspace-kb/knowledgeBase";
import type { KnowledgeBase } from "../../workspace-kb/knowledgeBase";
import { visible } from "../../workspace-kb/markdownText";
import { ENTRY_KINDS } from "../../workspace-kb/schema";
import type { Entry, EntryKind } from "../../workspace-kb/schema";
import { isStaleOwner, readOwner } from "../../workspace-kb/sessionLock";
import { parseCommandArgs, type CliCommand, type CliIO } from "./command";

const help = `Usage: culture-lab kb <status|rebuild|search|show> [options]

  status               what the knowledge base holds, its files, and who has it open
  rebuild              rebuild kb.json, the segments and the archive pages from events.jsonl;
                       the old kb.json and segments/ are kept as *.bak-<time> siblings first
  search <query...>    top entries by BM25
  show <id>            one entry in full

Options:
  --workspace DIR      the workspace folder (default: the current directory)
  --folder NAME        the knowledge-base folder inside it (default: .culture)
  --json               machine-readable output
  -k N                 search: how many results (default 8)
  --kind K[,K]         search: only these kinds (${ENTRY_KINDS.join(", ")})
  --generation G|A-B   search: only this generation or range
  --archived           search: include archived entries

A corrupt kb.json or one of an unknown schema version is reported by name and never overwritten;
run \`culture-lab kb rebuild\` to rebuild it. rebuild needs the session lock: stop a running session first.
On bad input (no workspace or knowledge base there, an unknown kind, a generation range written
backwards) it says so in one line and exits 1; a wrong option or subcommand exits 2.`;

export const kbCommand: CliCommand = {
  name: "kb",
  summary: "inspect, search or rebuild the workspace's knowledge base (.culture/)",
  help,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs("kb", {
      args,
      allowPositionals: true,
      options: {
        workspace: { type: "string" },
        folder: { type: "string" },
        json: { type: "boolean" },
        k: { type: "string", short: "k" },
        kind: { type: "string" },
        generation: { type: "string" },
        archived: { type: "boolean" },
      },
    });
    const [verb, ...rest] = positionals;
    const workspace = resolve(io.cwd, values.workspace ?? ".");
    const options = { folder: values.folder };
    switch (verb) {
      case "status":
        return status(workspace, options, values.json === true, io);
      case "rebuild": {
        const { kb, backups } = await rebuildKnowledgeBase(workspace, options);
        const size = kb.size;
        await kb.close();
        report(io, values.json === true, { rebuilt: kb.paths.kbJson, backups, round: kb.round, ...size }, [
          `rebuilt ${kb.paths.kbJson} from ${kb.paths.events}: ${size.entries} entries, ${size.segments} segments, round ${kb.round}`,
          ...backups.map((path) => `kept the previous version as ${path}`),
          ...(kb.report.tornTail ? [`a torn last round (${kb.report.tornTail.bytes} bytes) was moved to ${kb.report.tornTail.savedTo}`] : []),
        ]);
        return 0;
      }
      case "search": {
        if (rest.length === 0) return usage(io, "search needs a query");
        const kb = await openKnowledgeBaseReadOnly(workspace, options);
        const results = kb.search(rest.join(" "), {
          k: positiveInt(values.k ?? "8", "-k"),
          kinds: values.kind ? kinds(values.kind) : undefined,
          generations: values.generation ? generations(values.generation) : undefined,
          includeArchived: values.archived === true,
        });
        report(io, values.json === true, results.map((r) => ({ score: r.score, ...r.entry })),
          results.length === 0 ? ["no entries match"] : results.map((r) => `${r.score.toFixed(3)}  ${summary(r.entry)}`));
        return 0;
      }
      case "show": {
        if (rest.length !== 1) return usage(io, "show needs exactly one entry id");
        const kb = await openKnowledgeBaseReadOnly(workspace, options);
        const entry = kb.get(rest[0]!);
        if (!entry) throw new CultureLabError("kb-unknown-entry", `There is no entry ${JSON.stringify(rest[0])} in ${kb.paths.folder}.`, "Find ids with `culture-lab kb search <words>`.");
        report(io, values.json === true, entry, [
          summary(entry),
          ...(entry.cites.length > 0 ? [`cites: ${entry.cites.join(", ")}`] : []),
          ...(entry.tags.length > 0 ? [`tags: ${entry.tags.join(", ")}`] : []),
          ...(entry.archived ? [`archived ${entry.archived.at}: ${entry.archived.reason}`] : []),
          "",
          entry.text,
        ]);
        return 0;
      }
      default:
        if (verb === undefined) return usage(io, "which kb command? One of status, rebuild, search, show");
        const near = nearestName(verb, ["status", "rebuild", "search", "show"]);
        return usage(io, `unknown kb command '${verb}'${near ? `. Did you mean '${near}'?` : ""}`);
    }
  },
};

async function status(workspace: string, options: { folder?: string }, json: boolean, io: CliIO): Promise<number> {
  const paths = kbPaths(workspace, options.folder);
  const kb: KnowledgeBase = await openKnowledgeBaseReadOnly(workspace, options);
  const owner = await readOwner(join(paths.folder, "session.owner.json"));
  const stale = owner !== undefined && isStaleOwner(owner);
  const files: Record<string, number> = {};
  for (const [name, path] of Object.entries({ "kb.json": paths.kbJson, "events.jsonl": paths.events, "NOTES.md": paths.notes, "segments/": paths.segments, "notes/": paths.pages })) {
    files[name] = await bytes(path);
  }
  const size = kb.size;
  const torn = kb.report.tornTail;
  report(io, json, { folder: paths.folder, round: kb.round, ...size, agents: kb.agents().length, generations: kb.generations().length, files, openBy: owner ? { ...owner, stale } : null, tornTail: torn ?? null }, [
    `knowledge base ${paths.folder}`,
    `  round ${kb.round}: ${size.entries} entries (${size.head} in the open head, the rest in ${size.segments} sealed segment${size.segments === 1 ? "" : "s"}), ${size.attempts} attempts, ${kb.agents().length} agents, ${kb.generations().length} generations`,
    `  files: ${Object.entries(files).map(([name, n]) => `${name} ${formatBytes(n)}`).join(", ")}`,
    !owner
      ? "  not open for writing"
      : stale
        ? `  not open for writing: the lock names process ${owner.pid} (since ${owner.startedAt}), which is no longer running — the lock is stale (a killed session) and the next session takes it over`
        : `  open for writing by process ${owner.pid} on ${owner.host} since ${owner.startedAt}`,
    ...(torn ? [`  events.jsonl ends in ${torn.bytes} bytes of an incomplete round (a crash, or a round being written right now); the next writer moves them aside`] : []),
  ]);
  return 0;
}

function report(io: CliIO, json: boolean, data: unknown, lines: string[]): void {
  // Agent text may hold terminal escape sequences; show them instead of letting them act.
  io.out(json ? JSON.stringify(data, null, 2) : visible(lines.join("\n")));
}

function summary(entry: Entry): string {
  return `${entry.id}  [${entry.kind}] ${entry.title.replace(/\s+/g, " ").slice(0, 100)}  — ${entry.author}, generation ${entry.generation}`;
}

function usage(io: CliIO, problem: string): number {
  io.err(`culture-lab kb: ${problem}${/[.?]$/.test(problem) ? "" : "."}\nRun \`culture-lab kb --help\` for the options.`);
  return 2;
}

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new CultureLabError("cli-bad-args", `${flag} must be a positive whole number, not '${text}'.`, "For example: -k 8");
  return n;
}

function kinds(text: string): EntryKind[] {
  return text.split(",").map((kind) => {
    if (!(ENTRY_KINDS as readonly string[]).includes(kind)) {
      throw new CultureLabError("cli-bad-args", `--kind '${kind}' is not a kind.`, `Use one or more of ${ENTRY_KINDS.join(", ")}, separated by commas.`);
    }
    return kind as EntryKind;
  });
}

function generations(text: string): number[] | { min: number; max: number } {
  const range = /^(\d+)-(\d+)$/.exec(text);
  if (range) {
    const [min, max] = [Number(range[1]), Number(range[2])];
    // A reversed range would quietly match nothing, which reads as "no such notes".
    if (min > max) throw new CultureLabError("cli-bad-args", `--generation '${text}' runs backwards: no generation is at least ${min} and at most ${max}.`, `Write the smaller first: --generation ${max}-${min}`);
    return { min, max };
  }
  if (/^\d+$/.test(text)) return [Number(text)];
  throw new CultureLabError("cli-bad-args", `--generation '${text}' is neither a number nor a range.`, "For example: --generation 3 or --generation 2-5");
}

async function bytes(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.size;
  let sum = 0;
  for (const name of await readdir(path)) sum += await bytes(join(path, name));
  return sum;
}

function formatBytes(n: number): string {
  return n < 1e3 ? `${n} B` : n < 1e6 ? `${(n / 1e3).toFixed(1)} kB` : `${(n / 1e6).toFixed(1)} MB`;
}
