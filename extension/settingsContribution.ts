// VS Code settings are a view onto the engine's one configuration schema: every leaf of the loop configuration
// becomes a `cultureLab.<path>` setting with the schema's type, bounds, default and description. package.json's
// `contributes.configuration` is written from this (`npm run gen:settings`) and a test fails when they differ.
import { z } from "zod";
import { loopConfigSchema } from "../agents/loop/loopConfig";

export const SETTINGS_PREFIX = "cultureLab";

/**
 * Defaults that depend on the machine (the home folder) are not written into package.json:
 * the setting is empty (null) and the engine decides at start.
 */
const MACHINE_DEPENDENT = new Set(["runtime.modelsDir"]);

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; type?: unknown; default?: unknown };

export interface SettingSchema {
  type?: string | string[];
  anyOf?: unknown[];
  /** A choice among words (e.g. runtime.decoding): VS Code shows it as a drop-down. */
  enum?: unknown[];
  items?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  minItems?: number;
  markdownDescription: string;
  order: number;
}

/** The dotted paths of every setting, in schema order (e.g. "runtime.model", "population.size"). */
export function settingPaths(): string[] {
  return Object.keys(configurationContribution().properties).map((key) => key.slice(SETTINGS_PREFIX.length + 1));
}

export function configurationContribution(): { title: string; properties: Record<string, SettingSchema> } {
  const schema = z.toJSONSchema(loopConfigSchema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const properties: Record<string, SettingSchema> = {};
  let order = 0;
  const walk = (node: JsonSchema, path: string[]) => {
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const at = [...path, key];
      if (child.type === "object" && child.properties) {
        walk(child, at);
        continue;
      }
      properties[`${SETTINGS_PREFIX}.${at.join(".")}`] = setting(child, at.join("."), order++);
    }
  };
  walk(schema, []);
  return { title: "Culture Lab", properties };
}

function setting(node: JsonSchema, path: string, order: number): SettingSchema {
  const description = typeof node.description === "string" ? node.description : "";
  const out: SettingSchema = { markdownDescription: description, order };
  if (typeof node.type === "string") out.type = node.type;
  if (Array.isArray(node.anyOf)) out.anyOf = node.anyOf.map(({ description: _d, ...rest }) => rest);
  if (Array.isArray(node.enum)) out.enum = node.enum;
  if (node.items !== undefined) out.items = node.items;
  for (const key of ["minimum", "maximum", "exclusiveMinimum", "minLength", "minItems"] as const) {
    const value = node[key];
    // zod writes "any safe integer" bounds, which say nothing to a person.
    if (typeof value === "number" && Math.abs(value) !== Number.MAX_SAFE_INTEGER) out[key] = value;
  }
  if (MACHINE_DEPENDENT.has(path)) {
    out.type = [String(out.type), "null"];
    out.default = null;
    out.markdownDescription = `${description} Empty: the engine decides on this machine.`;
  } else if (node.default !== undefined) {
    out.default = node.default;
  } else if (out.type !== undefined) {
    // Optional without a default (e.g. a path): empty until set.
    out.type = [String(out.type), "null"];
    out.default = null;
  }
  return out;
}
