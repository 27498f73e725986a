// Reads a multi-generation corpus for the collapse detector: JSONL, one `{"generation": g, "text": "…"}` object a
// line (g a whole number ≥ 0; lines of one generation need not be adjacent), and says exactly which line is wrong.
import { CultureLabError } from "../errors";
import { forEachJsonLine, readJsonlBytes } from "./corpusFile";

const SHAPE_HINT = 'Each line must be a JSON object like {"generation": 0, "text": "…"}: a whole-number generation ≥ 0 and a text string.';

export async function readGenerationFile(path: string): Promise<Map<number, string[]>> {
  return parseGenerations(await readJsonlBytes(path), path);
}

export function parseGenerations(bytes: Uint8Array, name: string): Map<number, string[]> {
  const byGeneration = new Map<number, string[]>();
  forEachJsonLine(bytes, name, (text, line) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new CultureLabError("corpus-not-json", `${name}, line ${line} is not JSON: ${(error as Error).message}`, SHAPE_HINT, { cause: error });
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new CultureLabError("corpus-bad-line", `${name}, line ${line} is JSON but not an object.`, SHAPE_HINT);
    }
    const { generation, text: doc } = value as { generation?: unknown; text?: unknown };
    if (generation === undefined) throw new CultureLabError("corpus-bad-line", `${name}, line ${line} has no "generation" field.`, SHAPE_HINT);
    if (typeof generation !== "number" || !Number.isSafeInteger(generation) || generation < 0) {
      throw new CultureLabError("corpus-bad-line", `${name}, line ${line}: "generation" must be a whole number ≥ 0, got ${JSON.stringify(generation)}.`, SHAPE_HINT);
    }
    if (doc === undefined) throw new CultureLabError("corpus-bad-line", `${name}, line ${line} has no "text" field.`, SHAPE_HINT);
    if (typeof doc !== "string") throw new CultureLabError("corpus-bad-line", `${name}, line ${line}: "text" must be a string, got ${JSON.stringify(doc).slice(0, 40)}.`, SHAPE_HINT);
    const docs = byGeneration.get(generation) ?? [];
    docs.push(doc);
    byGeneration.set(generation, docs);
  });
  return byGeneration;
}
