// What bounds one sandbox run, with defaults and a schema so a session's configuration can carry its own
// limits (validated at that door) instead of trusting whatever numbers a settings file holds.
import { z } from "zod";

export const sandboxLimitsSchema = z
  .object({
    /**
     * Step budget for evaluating the program and all its calls, counted in QuickJS interrupt polls (one poll
     * per ~10,000 operations: loop iterations, calls, regex steps). Unlike a clock it gives the same verdict on
     * an idle and on a loaded machine, so whether a proposal is valid does not depend on what else is running.
     */
    fuel: z.number().int().min(1).max(1_000_000),
    /**
     * Wall-clock backstop for what polls rarely (allocation-heavy code in native code). It only stops runaways:
     * the step budget decides whether a program is valid, so this sits far above what the budget allows even
     * when llama.cpp decodes on every core (a run that uses up the default budget took at most 110 ms here on
     * 2 cores under a load of 10; the old 500 ms backstop gave false timeouts in a real session).
     */
    timeoutMs: z.number().int().min(10).max(60_000),
    /** QuickJS heap cap for the run. */
    memoryBytes: z.number().int().min(1 << 20).max(1 << 30),
    /**
     * QuickJS stack cap. QuickJS's own check sees only part of the real stack use, so this stays far below the
     * host's native stack; deeper nesting overflows the host stack instead and costs an engine reload.
     */
    stackBytes: z.number().int().min(16 << 10).max(1 << 20),
    /** Longest JSON text (UTF-16 code units) a call may return. */
    outputChars: z.number().int().min(16).max(1 << 24),
    /** Longest JSON text of a call's arguments the host will pass in. */
    inputChars: z.number().int().min(16).max(1 << 24),
    /** Longest program source accepted. */
    programChars: z.number().int().min(16).max(1 << 24),
  })
  .strict();

// Infinite fuel is allowed in code (benchmarks, warm-up) though not in a configuration file.
export type SandboxLimits = z.infer<typeof sandboxLimitsSchema>;

export const DEFAULT_LIMITS: Readonly<SandboxLimits> = {
  // About 1M simple operations: a few milliseconds of busy loop on an idle machine; typical problems use none.
  fuel: 100,
  timeoutMs: 2000,
  memoryBytes: 16 * 1024 * 1024,
  stackBytes: 128 * 1024,
  outputChars: 16 * 1024,
  inputChars: 16 * 1024,
  programChars: 32 * 1024,
};

/**
 * Deepest nesting of a result. Not a setting: results become problems' examples, stored in the knowledge base,
 * which refuses data nested deeper than 64 levels, and the problem's own fields add a few.
 */
export const OUTPUT_NESTING = 32;
