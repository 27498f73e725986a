// A session's warnings reach the editor as one toast per burst: VS Code drops toasts that come faster than three
// in 800 ms, and a person reads one toast, not four.
import assert from "node:assert/strict";
import { NoticeBatch, toastText } from "../../extension/noticeBatch";

function batch(): { add: (m: string) => void; flush: () => void; shown: string[]; scheduled: () => number } {
  const shown: string[] = [];
  const flushes: Array<() => void> = [];
  const b = new NoticeBatch((text) => shown.push(text), (flush) => flushes.push(flush));
  return { add: (m) => b.add(m), flush: () => flushes.shift()!(), shown, scheduled: () => flushes.length };
}

describe("the editor's session warnings", () => {
  it("shows the warnings of one burst in one toast, in their order, once the burst is over", () => {
    const b = batch();
    b.add("The recommended model (qwen) is not on this machine and cannot be downloaded: offline");
    b.add("Running the project's tiny random model instead. Its output is noise: this run tests the machinery, not learning.");
    b.add("To keep this machinery test short, replies are cut at 48 tokens");
    assert.deepEqual(b.shown, [], "nothing is shown while the burst goes on");
    assert.equal(b.scheduled(), 1, "one toast is scheduled for the burst");
    b.flush();
    assert.deepEqual(b.shown, [
      "3 warnings: (1) The recommended model (qwen) is not on this machine and cannot be downloaded: offline. (2) Running the project's tiny random model instead. Its output is noise: this run tests the machinery, not learning. (3) To keep this machinery test short, replies are cut at 48 tokens.",
    ]);
  });

  it("says a warning repeated within a burst once, and a later burst in a toast of its own", () => {
    const b = batch();
    b.add("A model call failed and was recorded as failed (the session goes on): HTTP 503");
    b.add("A model call failed and was recorded as failed (the session goes on): HTTP 503");
    b.flush();
    b.add("NOTES.md line 9, human note \"x\" was not given to the agents: it has no text.");
    assert.equal(b.scheduled(), 1);
    b.flush();
    assert.deepEqual(b.shown, [
      "A model call failed and was recorded as failed (the session goes on): HTTP 503",
      "NOTES.md line 9, human note \"x\" was not given to the agents: it has no text.",
    ]);
  });

  it("shows a single warning as it was written", () => {
    assert.equal(toastText(["tiny is the project's random-weight test model: its output is noise."]), "tiny is the project's random-weight test model: its output is noise.");
  });
});
