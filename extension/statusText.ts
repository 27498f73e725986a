// The status-bar item's words: "Culture Lab: gen k/N · T tok/s", with the collapse alarm as a warning.
import type { SessionStatus } from "../agents/engine/protocol";

export interface StatusView {
  text: string;
  tooltip: string;
  /** Raise the warning background: the collapse alarm is up. */
  warning: boolean;
}

export function statusView(status: SessionStatus | undefined, lastRun?: { runId: string; verdict: string }): StatusView {
  if (!status || status.state === "idle") {
    const tooltip = lastRun ? `Last run ${lastRun.runId}: ${lastRun.verdict}. Click for the metrics panel.` : "No session running. Click for the metrics panel.";
    return { text: "$(beaker) Culture Lab", tooltip, warning: false };
  }
  const parts: string[] = [];
  const total = status.generations;
  if (status.state === "starting") parts.push("starting");
  else if (total !== undefined && status.firstGeneration !== undefined && status.generation !== undefined) {
    parts.push(generationOfTotal(status, total));
  }
  if (status.tokensPerSecond !== undefined && Number.isFinite(status.tokensPerSecond)) parts.push(`${formatRate(status.tokensPerSecond)} tok/s`);
  if (status.state === "paused") parts.push("paused");
  if (status.state === "stopping") parts.push("stopping");
  if (status.collapseAlarm) parts.push("collapse alarm");
  const icon = status.collapseAlarm ? "$(warning)" : status.state === "paused" ? "$(debug-pause)" : "$(sync~spin)";
  const tooltip = [
    `Session ${status.runId ?? "(starting)"} on ${status.model ?? "(loading the model)"}`,
    `${status.generationsDone} of ${total ?? "?"} generations done, ${status.calls} model calls, ${status.completionTokens} tokens`,
    status.collapseAlarm ? "The collapse alarm is raised: the agents' writing is losing diversity." : "",
    "Click for the metrics panel.",
  ].filter(Boolean).join("\n");
  return { text: `${icon} Culture Lab: ${parts.join(" · ")}`, tooltip, warning: status.collapseAlarm };
}

/** "gen k/N": while running, the generation in play (from 1, never past N); while stopping, the ones that finished. */
export function generationOfTotal(status: SessionStatus, total: number): string {
  const k = status.state === "stopping" ? status.generationsDone : Math.min(status.generationsDone + 1, total);
  return `gen ${k}/${total}`;
}

export function formatRate(tokensPerSecond: number): string {
  return tokensPerSecond >= 100 ? Math.round(tokensPerSecond).toString() : tokensPerSecond.toFixed(1);
}
