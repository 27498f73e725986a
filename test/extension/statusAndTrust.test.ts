import assert from "node:assert/strict";
import type { SessionStatus } from "../../agents/engine/protocol";
import { COMMANDS, trustRefusal } from "../../extension/commandTable";
import { statusView } from "../../extension/statusText";

const running: SessionStatus = {
  state: "running", runId: "20261128T050000-abcdef", model: "tiny", generation: 4, firstGeneration: 3, generations: 6, generationsDone: 1,
  calls: 30, completionTokens: 1200, tokensPerSecond: 153.4, collapseAlarm: false,
};

describe("the status bar item", () => {
  it("says Culture Lab and nothing more when no session runs", () => {
    assert.equal(statusView(undefined).text, "$(beaker) Culture Lab");
    assert.equal(statusView({ ...running, state: "idle" }).warning, false);
  });

  it("counts generations of the session (k of N, from 1) and shows tokens per second", () => {
    assert.equal(statusView(running).text, "$(sync~spin) Culture Lab: gen 2/6 · 153 tok/s");
    assert.match(statusView({ ...running, tokensPerSecond: 7.25 }).text, /7\.3 tok\/s/);
    assert.match(statusView({ ...running, generationsDone: 6 }).text, /gen 6\/6/, "never past N");
  });

  it("raises a warning while the collapse alarm is up", () => {
    const view = statusView({ ...running, collapseAlarm: true });
    assert.equal(view.warning, true);
    assert.match(view.text, /collapse alarm/);
    assert.match(view.tooltip, /losing diversity/);
  });

  it("says when the session is paused or stopping", () => {
    assert.match(statusView({ ...running, state: "paused" }).text, /paused/);
    assert.match(statusView({ ...running, state: "stopping" }).text, /gen 1\/6 · 153 tok\/s · stopping/);
  });
});

describe("workspace trust", () => {
  const needTrust = ["cultureLab.startSession", "cultureLab.resumeSession", "cultureLab.addHumanNote", "cultureLab.selectModel", "cultureLab.downloadModel", "cultureLab.replayRun", "cultureLab.exportRun"];

  it("refuses, with the reason, every command that starts a model, runs generated code or writes files", () => {
    for (const id of needTrust) {
      const refusal = trustRefusal(id as (typeof COMMANDS)[number]["id"], false);
      assert.ok(refusal, id);
      assert.match(refusal, /trusted workspace/);
    }
  });

  it("still shows runs, reports, notes and the panel in Restricted Mode", () => {
    const readOnly = COMMANDS.filter((c) => !needTrust.includes(c.id));
    assert.deepEqual(readOnly.map((c) => c.id).sort(), [
      "cultureLab.clearServerKey", "cultureLab.openEntry", "cultureLab.openNotes", "cultureLab.openReport", "cultureLab.pauseSession", "cultureLab.refresh",
      "cultureLab.restartEngine", "cultureLab.setServerKey", "cultureLab.showLog", "cultureLab.showPanel", "cultureLab.stopSession",
    ]);
    for (const c of readOnly) assert.equal(trustRefusal(c.id, false), undefined, c.id);
  });

  it("refuses nothing in a trusted workspace", () => {
    for (const c of COMMANDS) assert.equal(trustRefusal(c.id, true), undefined);
  });
});
