// Every command the extension contributes, as data: package.json's `contributes.commands` must list exactly
// these (a test checks), and the trust policy reads `needsTrust` from here.
export interface CommandSpec {
  id: string;
  title: string;
  /** Starts a model, runs generated code or writes files: refused in an untrusted workspace. */
  needsTrust: boolean;
  /** Shown in the command palette; the rest are tree-item actions that need an argument. */
  palette: boolean;
  icon?: string;
}

export const CATEGORY = "Culture Lab";

export const COMMANDS = [
  { id: "cultureLab.startSession", title: "Start Session…", needsTrust: true, palette: true, icon: "$(play)" },
  { id: "cultureLab.stopSession", title: "Stop Session", needsTrust: false, palette: true, icon: "$(debug-stop)" },
  { id: "cultureLab.pauseSession", title: "Pause Session", needsTrust: false, palette: true, icon: "$(debug-pause)" },
  { id: "cultureLab.resumeSession", title: "Resume Session", needsTrust: true, palette: true, icon: "$(debug-continue)" },
  { id: "cultureLab.openNotes", title: "Open Shared Notes", needsTrust: false, palette: true, icon: "$(book)" },
  { id: "cultureLab.addHumanNote", title: "Add Human Note…", needsTrust: true, palette: true, icon: "$(comment)" },
  { id: "cultureLab.showPanel", title: "Show Metrics Panel", needsTrust: false, palette: true, icon: "$(graph-line)" },
  { id: "cultureLab.selectModel", title: "Select Model…", needsTrust: true, palette: true },
  { id: "cultureLab.downloadModel", title: "Download Recommended Model", needsTrust: true, palette: true, icon: "$(cloud-download)" },
  { id: "cultureLab.openReport", title: "Open Run Report", needsTrust: false, palette: true },
  { id: "cultureLab.replayRun", title: "Replay Run…", needsTrust: true, palette: true },
  { id: "cultureLab.exportRun", title: "Export Run…", needsTrust: true, palette: true },
  { id: "cultureLab.showLog", title: "Show Log", needsTrust: false, palette: true },
  { id: "cultureLab.restartEngine", title: "Restart Engine", needsTrust: false, palette: true },
  // A key goes to VS Code's secret storage, not the workspace, and starts nothing: allowed in Restricted Mode.
  { id: "cultureLab.setServerKey", title: "Set Server API Key…", needsTrust: false, palette: true },
  { id: "cultureLab.clearServerKey", title: "Clear Server API Key…", needsTrust: false, palette: true },
  { id: "cultureLab.refresh", title: "Refresh", needsTrust: false, palette: false, icon: "$(refresh)" },
  { id: "cultureLab.openEntry", title: "Open Entry in Notes", needsTrust: false, palette: false },
] as const satisfies readonly CommandSpec[];

export type CommandId = (typeof COMMANDS)[number]["id"];

/** Why a command is refused here, or undefined when it may run. */
export function trustRefusal(id: CommandId, trusted: boolean): string | undefined {
  const spec: CommandSpec = COMMANDS.find((c) => c.id === id)!;
  if (trusted || !spec.needsTrust) return undefined;
  return `"${spec.title.replace(/…$/, "")}" needs a trusted workspace: it starts a model, runs code the agents wrote, or writes files. In Restricted Mode Culture Lab only shows existing runs, reports and notes. Trust this folder (Manage Workspace Trust) to use it.`;
}
