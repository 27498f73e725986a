// Every problem of a configuration, one line each, naming where it came from and the setting it concerns,
// with "did you mean" for a misspelt key: a misspelt `knowledgeBaseAccess` must not silently run a control
// condition as a treatment, so unknown keys are refused, not dropped.
import type { z } from "zod";
import { nearestName } from "./nearestName";

/** The settings an object schema accepts at `path` (defaults, prefaults and optionals unwrapped). */
export function keysAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): string[] {
  let node: z.ZodType | undefined = schema;
  for (const key of path) {
    const shape = shapeOf(node);
    node = shape && typeof key === "string" ? shape[key] : undefined;
    if (!node) return [];
  }
  return Object.keys(shapeOf(node) ?? {});
}

/** Every setting's dotted path, e.g. `sampling.temperature`. */
export function allSettingPaths(schema: z.ZodType, prefix: string[] = []): string[] {
  const shape = shapeOf(schema);
  if (!shape) return [prefix.join(".")];
  return Object.entries(shape).flatMap(([key, child]) => allSettingPaths(child, [...prefix, key]));
}

function shapeOf(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  let def = (schema as unknown as { _zod: { def: ZodDef } })._zod.def;
  while (def.innerType) def = (def.innerType as unknown as { _zod: { def: ZodDef } })._zod.def;
  return def.type === "object" ? (def.shape as Record<string, z.ZodType>) : undefined;
}

interface ZodDef {
  type: string;
  innerType?: z.ZodType;
  shape?: unknown;
}

/** One line per problem: `<source>: <setting>: <what is wrong>`. */
export function configProblemLines(schema: z.ZodType, issues: readonly z.core.$ZodIssue[], source: string): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const where = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const setting = where === "" ? key : `${where}.${key}`;
        const hint = suggestion(schema, issue.path, key);
        lines.push(`${source}: "${setting}" is not a setting${hint ? ` — did you mean "${hint}"?` : ""}`);
      }
      continue;
    }
    if (issue.code === "invalid_type" && issue.path.length === 0) {
      lines.push(`${source}: the configuration must be a JSON object ({ "generations": 4, … }), not ${describeValue(issue.input)}`);
      continue;
    }
    const got = "input" in issue && issue.input !== undefined ? ` (got ${describeValue(issue.input)})` : "";
    lines.push(`${source}: ${where === "" ? "the configuration" : `"${where}"`}: ${plain(issue.message)}${got}`);
  }
  return lines;
}

/** The nearest setting to a misspelt key: at the same level first, then anywhere (a key put at the wrong level). */
function suggestion(schema: z.ZodType, path: ReadonlyArray<PropertyKey>, key: string): string | undefined {
  const prefix = path.map(String);
  const here = nearestName(key, keysAt(schema, path));
  if (here) return [...prefix, here].join(".");
  const elsewhere = allSettingPaths(schema).filter((p) => p.split(".").pop()!.toLowerCase() === key.toLowerCase());
  return elsewhere[0];
}

function plain(message: string): string {
  return message.replace(/^Invalid input: /, "").replace(/^Invalid option: /, "");
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "object") return "an object";
  return String(value);
}
