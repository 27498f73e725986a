// `culture-lab report <run-id>`: (re)builds a run's report from its records — the generation records in the
// knowledge base, the manifest and calls.jsonl — for any run, including one that was stopped or killed.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { kbPaths, openKnowledgeBaseReadOnly } from "../../workspace-kb/knowledgeBase";
import { writeRunReport } from "../report/runReport";
import { describeReasons, totalReasons } from "../report/refusalReasons";
import { parseCommandArgs, usageError, type CliCommand } from "./command";

const help = `Usage: culture-lab report <run-id> [--workspace DIR] [--folder NAME]

Writes .culture/runs/<run-id>/report.html from the run's records, with series.csv and series.json
beside it, and prints the report's path. Works for any run, also one that was stopped or killed
(the report then covers the generations it finished). Reads the knowledge base without locking it,
so it also works while a session runs. A run's report is already rewritten after every generation;
this command rebuilds it, e.g. for a run recorded before that, or after a crash.

Options:
  --workspace DIR   the workspace holding .culture/ (default: the current folder)
  --folder NAME     the knowledge-base folder inside it (default: .culture)

Exit codes: 0 written; 1 no such run, or its records are damaged (the message says which file);
2 a usage error. List run ids with \`ls .culture/runs\`. On bad input (no such run, damaged records,
a missing run id) it says what is wrong in one line, with what to do.`;

export const reportCommand: CliCommand = {
  name: "report",
  summary: "rebuild a run's HTML report (and its series as CSV/JSON) from its records",
  help,
  async run(args, io) {
    const parsed = parseCommandArgs("report", { args, allowPositionals: true, options: { workspace: { type: "string" }, folder: { type: "string" } } });
    const [runId, ...extra] = parsed.positionals;
    if (!runId) throw usageError("report", "report needs a run id (the folder names under .culture/runs/).");
    if (extra.length > 0) throw usageError("report", `report takes one run id, not ${parsed.positionals.length}.`);
    const workspace = resolve(io.cwd, parsed.values.workspace ?? ".");
    const folder = kbPaths(workspace, parsed.values.folder).folder;
    // A run whose knowledge base was never committed has no records there: its report says no generation finished.
    const kb = await openKnowledgeBaseReadOnly(workspace, { folder: parsed.values.folder });
    try {
      const { reportPath, summary } = writeRunReport({ kb, cultureDir: folder, runId });
      const g = summary.generations;
      const valid = g.reduce((n, x) => n + x.validProposals, 0);
      const proposals = g.reduce((n, x) => n + x.proposals, 0);
      const refused = describeReasons(totalReasons(g.map((x) => x.invalidReasons)));
      io.out(`run ${runId}: ${g.length} generation(s) recorded, ${valid} of ${proposals} proposals valid${refused ? ` — ${refused}` : ""}.`);
      for (const caveat of summary.caveats) io.out(`  ${caveat}`);
      for (const name of ["series.csv", "series.json"]) if (existsSync(join(folder, "runs", runId, name))) io.out(`  ${join(folder, "runs", runId, name)}`);
      io.out(reportPath);
      return 0;
    } finally {
      await kb.close();
    }
  },
};
