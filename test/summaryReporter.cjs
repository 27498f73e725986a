// Mocha's spec reporter, plus the plain closing line `N passed, N failed[, N skipped]` that CI counts.
const Mocha = require("mocha");
const { EVENT_RUN_END } = Mocha.Runner.constants;

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const { passes, failures, pending } = runner.stats;
      const skipped = pending > 0 ? `, ${pending} skipped` : "";
      // After Spec's own epilogue, so it is the last line of the run.
      process.nextTick(() => console.log(`${passes} passed, ${failures} failed${skipped}`));
    });
  }
}
module.exports = SummaryReporter;
