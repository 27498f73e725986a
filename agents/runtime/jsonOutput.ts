// The door for structured model output: the grammar constrains decoding, and the text that comes back is still
// parsed and checked against the full JSON schema here (zod's reading of it), because grammars cannot express
// every constraint (lengths, ranges, patterns) and output can be cut by the token limit.
import { z } from "zod";
import { CultureLabError } from "../../workspace-kb/errors";

export type JsonSchema = Record<string, unknown>;

export type JsonFailure = "truncated" | "invalid-json" | "schema-mismatch";

export type JsonCheck = { ok: true; value: unknown } | { ok: false; failure: JsonFailure; message: string };

export function jsonValidator(schema: JsonSchema): z.ZodType {
  try {
    return z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
  } catch (error) {
    throw new CultureLabError("bad-schema", `this JSON schema cannot be checked: ${(error as Error).message}`, "Pass a JSON Schema (draft 2020-12) object.", { cause: error });
  }
}

/**
 * `cut`: decoding stopped at the token limit. `constrained`: a grammar held the output to the schema, so text
 * that does not parse can only be an unfinished answer ("truncated"); without one it is "invalid-json".
 */
export function checkJsonOutput(text: string, validator: z.ZodType, { cut, constrained }: { cut: boolean; constrained: boolean }): JsonCheck {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    if (cut && constrained) {
      return { ok: false, failure: "truncated", message: `output was cut at the token limit before the JSON was complete (${text.length} characters)` };
    }
    return { ok: false, failure: "invalid-json", message: `output is not JSON${cut ? " (and was cut at the token limit)" : ""}: ${(error as Error).message}` };
  }
  const result = validator.safeParse(parsed);
  if (!result.success) return { ok: false, failure: "schema-mismatch", message: `output does not match the schema: ${z.prettifyError(result.error)}` };
  return { ok: true, value: result.data };
}
