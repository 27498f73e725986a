// Canonical JSON: object keys sorted at every level, so two values are equal exactly when their canonical
// texts are equal (key order is not meaning). Used to compare a solver's answer with the truth.
import type { Json } from "../sandbox/sandbox";

export function canonicalJson(value: Json): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k]!)}`).join(",")}}`;
}

export function jsonEqual(a: Json, b: Json): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** Measured without recursion, so deeply nested model output is refused before recursive code walks it. */
export { nestingDepth } from "../../workspace-kb/boundedJson";
