// The research view's part of the HTML report: refusal reasons with an example each, the per-agent table,
// samples of notes, chapters, problems (with verdicts) and probe answers, and links to the raw records beside the
// report. Everything an agent wrote is untrusted text: escaped, never HTML.
import { escapeHtml } from "./escapeHtml";
import type { ResearchView, TextSample } from "./runSummary";

export function researchSections(view: ResearchView): string {
  return [
    `<h2>Records</h2>`,
    `<p>Every call (prompt, sampling, output): <a href="${view.files.calls}">${view.files.calls}</a> · the series above as <a href="${view.files.seriesCsv}">${view.files.seriesCsv}</a> and <a href="${view.files.seriesJson}">${view.files.seriesJson}</a> (beside this report).</p>`,
    refusals(view),
    agents(view),
    samples("Notes (newest)", view.notes, "No note was written in this run."),
    samples("Book chapters (newest)", view.chapters, "No chapter was written in this run."),
    problems(view),
    probeAnswers(view),
  ].join("\n");
}

function refusals(view: ResearchView): string {
  if (view.refusals.length === 0) return `<h2>Why proposals were refused</h2><p class="empty">No proposal was refused.</p>`;
  const rows = view.refusals.map(
    (r) =>
      `<tr><td>${r.count}</td><td class="text">${escapeHtml(r.words)} (${escapeHtml(r.reason)})</td><td class="text">${escapeHtml(r.example.proposerId)}, generation ${r.example.generation}: ${escapeHtml(r.example.message)}</td></tr>`,
  );
  return `<h2>Why proposals were refused</h2><div class="table"><table><tr><th>count</th><th>reason</th><th>one example</th></tr>${rows.join("")}</table></div>`;
}

function agents(view: ResearchView): string {
  if (view.agents.length === 0) return "";
  const rows = view.agents.map((a) => {
    const roles = Object.entries(a.roles).map(([role, n]) => `${role} ×${n}`).join(", ");
    const rate = a.attempts > 0 ? `${a.solved}/${a.attempts} (${Math.round((100 * a.solved) / a.attempts)}%)` : "—";
    return `<tr><td class="text">${escapeHtml(a.agentId)}</td><td class="text">${escapeHtml(a.model)}</td><td class="text">${escapeHtml(roles)}</td><td>${a.reward.toFixed(2)}</td><td>${rate}</td><td>${a.notesWritten}</td><td>${a.chaptersWritten}</td></tr>`;
  });
  return `<h2>Agents</h2><p class="meta">Calls by role; learnability reward earned as a proposer; play problems solved (held-out evaluation not counted).</p><div class="table"><table><tr><th>agent</th><th>model</th><th>calls by role</th><th>reward</th><th>solved</th><th>notes</th><th>chapters</th></tr>${rows.join("")}</table></div>`;
}

function samples(title: string, items: readonly TextSample[], none: string, verdict?: (item: TextSample) => string): string {
  if (items.length === 0) return `<h2>${escapeHtml(title)}</h2><p class="empty">${escapeHtml(none)}</p>`;
  const blocks = items.map(
    (s) =>
      `<div class="sample"><div class="meta">${escapeHtml(s.id)} · ${escapeHtml(s.author)} · generation ${s.generation}${verdict ? ` · ${escapeHtml(verdict(s))}` : ""}</div><strong>${escapeHtml(s.title)}</strong><pre>${escapeHtml(s.text)}</pre></div>`,
  );
  return `<h2>${escapeHtml(title)}</h2>${blocks.join("")}`;
}

function problems(view: ResearchView): string {
  const byId = new Map(view.problems.map((p) => [p.id, p]));
  return samples("Valid problems (newest), with verdicts", view.problems, "No valid problem was proposed in this run (see the refusals above).", (s) => {
    const p = byId.get(s.id)!;
    return p.attempts === 0 ? "not attempted" : `solved by ${p.solved} of ${p.attempts} attempts`;
  });
}

function probeAnswers(view: ResearchView): string {
  if (view.probeAnswers.length === 0) return `<h2>Probe answers</h2><p class="empty">The collapse probe did not run in this run.</p>`;
  const rows = view.probeAnswers.map(
    (a) => `<tr><td class="text">${escapeHtml(a.agentId)}</td><td>${a.generation}</td><td class="text">${escapeHtml(a.prompt)}</td><td class="text">${escapeHtml(a.answer)}</td></tr>`,
  );
  return `<h2>Probe answers (last probe)</h2><div class="table"><table><tr><th>agent</th><th>gen</th><th>prompt</th><th>answer</th></tr>${rows.join("")}</table></div>`;
}
