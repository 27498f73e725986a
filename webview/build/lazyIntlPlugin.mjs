// An esbuild plugin for the panel's bundle: uPlot builds an Intl.NumberFormat and an Intl.DateTimeFormat when its
// module loads, and the first Intl object a page makes costs 45–100 ms here (Chromium loads its ICU data), paid
// before the panel can draw anything. The charts tab never formats through them (its axes and legends have their
// own formatters, and no scale is a time scale), so they are made on first use instead (the Agents tab's axes). Each rewrite must match
// uPlot's source exactly: a newer uPlot that changed them fails the build rather than being bundled unchanged.
import { readFile } from "node:fs/promises";

const REWRITES = [
  [
    "const numFormatter = new Intl.NumberFormat(domEnv ? nav.language : 'en-US');",
    "let numFormatterMade; const numFormatter = { format: (v) => (numFormatterMade ??= new Intl.NumberFormat(domEnv ? nav.language : 'en-US')).format(v) };",
  ],
  ["const localTz = new Intl.DateTimeFormat().resolvedOptions().timeZone;", "let localTzFound; const localTz = () => (localTzFound ??= new Intl.DateTimeFormat().resolvedOptions().timeZone);"],
  ["else if (tz == localTz)", "else if (tz == localTz())"],
];

/** @type {import("esbuild").Plugin} */
export const lazyIntlPlugin = {
  name: "uplot-lazy-intl",
  setup(build) {
    build.onLoad({ filter: /[\\/]uplot[\\/]dist[\\/]uPlot\.esm\.js$/ }, async (args) => {
      let source = await readFile(args.path, "utf8");
      for (const [from, to] of REWRITES) {
        if (source.split(from).length !== 2) throw new Error(`lazyIntlPlugin: uPlot's source no longer has exactly one '${from}'; check the rewrite against this uPlot version`);
        source = source.replace(from, to);
      }
      return { contents: source, loader: "js" };
    });
  },
};
