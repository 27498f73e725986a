// What `culture-lab run` is configured with: the --config file, then the flags over it. Each source is checked
// on its own so a problem names where it is (the file and key, or the flag); paths a user types resolve where
// they typed them: flags against the current folder, paths inside a file against that file's folder.
import { dirname, isAbsolute, resolve } from "node:path";
import { homedir } from "node:os";
import { z } from "zod";
import { readSmallFile } from "../../workspace-kb/boundedFile";
import { CultureLabError } from "../../workspace-kb/errors";
import { loopConfigSchema, parseLoopConfig } from "../loop/loopConfig";
import { isModelPath } from "../runtime/modelReference";
import { RuntimeConfigSchema } from "../runtime/runtimeConfig";
import { usageError } from "./command";

export interface RunFlags {
  config?: string;
  model?: string;
  generations?: string;
  threads?: string;
  offline?: boolean;
}

export interface RunConfig {
  config: Record<string, unknown>;
  /** Where the configuration came from, for the engine's own check and the run's manifest. */
  configSource: string;
  /** The user named a model (flag or file): it is never replaced by the offline fallback. */
  modelNamed: boolean;
}

export function loadRunConfig(flags: RunFlags, cwd: string): RunConfig {
  let fromFile: Record<string, unknown> = {};
  let source = "the defaults";
  if (flags.config !== undefined) {
    source = resolve(cwd, flags.config);
    fromFile = readConfigFile(source);
    parseLoopConfig(fromFile, source); // the file's own problems, named by the file
    fromFile = withPathsResolved(fromFile, dirname(source));
  }
  const runtimeFromFile = (fromFile.runtime ?? {}) as Record<string, unknown>;
  const config: Record<string, unknown> = {
    ...fromFile,
    ...(flags.generations !== undefined ? { generations: flagValue("--generations", flags.generations, loopConfigSchema.shape.generations) } : {}),
    runtime: {
      ...runtimeFromFile,
      ...(flags.model !== undefined ? { model: modelPath(flags.model, cwd) } : {}),
      ...(flags.threads !== undefined ? { threads: flagValue("--threads", flags.threads, RuntimeConfigSchema.shape.threads) } : {}),
      ...(flags.offline ? { allowDownload: false } : {}),
    },
  };
  parseLoopConfig(config, flags.config === undefined ? "the flags" : `${source} with the flags`);
  return { config, configSource: source, modelNamed: flags.model !== undefined || runtimeFromFile.model !== undefined };
}

export function readConfigFile(path: string): Record<string, unknown> {
  const text = readSmallFile(path, 1024 * 1024, "configuration", "config-unreadable").toString("utf8");
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new CultureLabError("config-unreadable", `Cannot read the configuration ${path}: ${(error as Error).message}`, "Pass a JSON file; every setting is optional.");
  }
}

/** A number flag checked against its setting's schema, so `--generations two` is refused as the flag it is. */
function flagValue(flag: string, text: string, schema: z.ZodType): number | "auto" {
  const value = text === "auto" ? "auto" : /^\s*\d+\s*$/.test(text) ? Number(text) : undefined;
  const checked = value === undefined ? undefined : schema.safeParse(value);
  if (!checked?.success) {
    const why = checked ? checked.error.issues.map((i) => i.message.replace(/^Invalid input: /, "")).join("; ") : "expected a whole number";
    throw usageError("run", `${flag} ${JSON.stringify(text)}: ${why}.`);
  }
  return checked.data as number | "auto";
}

/** Model files and the models folder named in a file live beside it, whatever folder the command runs in. */
export function withPathsResolved(config: Record<string, unknown>, base: string): Record<string, unknown> {
  const runtime = config.runtime as Record<string, unknown> | undefined;
  if (!runtime) return config;
  const resolved = { ...runtime };
  if (typeof runtime.model === "string") resolved.model = modelPath(runtime.model, base);
  if (typeof runtime.modelsDir === "string") resolved.modelsDir = resolve(base, expandHome(runtime.modelsDir));
  return { ...config, runtime: resolved };
}

/** A file path becomes absolute; "tiny" and download references stay as they are. */
function modelPath(reference: string, base: string): string {
  if (!isModelPath(reference)) return reference;
  const path = expandHome(reference);
  return isAbsolute(path) ? path : resolve(base, path);
}

function expandHome(path: string): string {
  return path.replace(/^~(?=\/|$)/, homedir());
}
