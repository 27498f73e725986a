// bench:collapse — error rates of the loop's collapse detector, measured side by side with the earlier
// window-drop signal on the same per-generation samples (test/metrics/collapseCalibration.ts):
//  - null false alarms: share of runs (documents shuffled across generations, so nothing changes) with any alarm;
//  - convergence alarms: share of runs that grow alike without copying (not a collapse) with any alarm;
//  - detection delay: generations from a collapse's first copied documents (3 or 5 stories, reached over 3
//    generations) to the first alarm, and the share of fully collapsed generations on which the alarm is up.
// Usage: npm run bench:collapse [-- --runs N]   (default 100 runs of 30 generations per row)
import { calibrate, medianDelay, type Detector } from "../metrics/collapseCalibration";

const runsArg = process.argv.indexOf("--runs");
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 100;
const generations = 30;

const pct = (x: number) => `${(100 * x).toFixed(1)}%`.padStart(6);
/** Upper end of the exact one-sided 95% binomial bound when 0 of n runs alarm (the rule of three, 3/n, is its approximation). */
const zeroBound = (n: number) => 1 - 0.05 ** (1 / n);

console.log(`bench:collapse — ${runs} runs of ${generations} generations per row; collapse starts at generation ${generations / 2}, complete 2 generations later`);
console.log("detector       docs/gen  modes  null alarm  null conv.  conv. alarm  conv. shown  median delay  never  coverage");
for (const perGeneration of [3, 8, 24]) {
  for (const modes of [3, 5]) {
    for (const detector of ["collapse", "window-drop"] as Detector[]) {
      const c = calibrate(detector, { perGeneration, generations, runs, modes, seed: 11 });
      const never = c.delays.filter((d) => d === undefined).length;
      // The window-drop signal has no "converging" state: its columns say so rather than show 0%.
      const conv = (x: number) => (detector === "collapse" ? pct(x) : "—");
      console.log(
        `${detector.padEnd(13)}  ${String(perGeneration).padStart(8)}  ${String(modes).padStart(5)}  ${pct(c.nullFalseAlarm).padStart(10)}  ${conv(c.nullConverging).padStart(10)}  ${pct(c.convergingAlarm).padStart(11)}  ${conv(c.convergingShown).padStart(11)}  ${String(medianDelay(c.delays)).padStart(12)}  ${String(never).padStart(5)}  ${pct(c.collapsedCoverage).padStart(8)}`,
      );
      if (detector === "collapse" && c.nullFalseAlarm === 0) console.log(`${"".padEnd(13)}  (0 of ${runs} null runs alarmed: the false-alarm rate is below ${pct(zeroBound(runs))} at 95% confidence)`);
    }
  }
}
