// JSON made by models or by their programs, measured without recursion: V8's JSON.parse is iterative, but
// JSON.stringify, zod's z.json() and any tree walk recurse, so a value nested a few thousand levels deep
// throws RangeError in whatever touches it next. Every door where such data enters measures it here first.

/** Deepest nesting the knowledge base stores in an entry's, attempt's or generation's `data`. */
export const MAX_DATA_DEPTH = 64;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** How deeply brackets nest in a JSON text, found without parsing it. */
export function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) deepest = Math.max(deepest, ++depth);
    else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
  }
  return deepest;
}

/**
 * Why `value` is not plain JSON nested at most `maxDepth` levels (undefined when it is), found with an
 * explicit stack: it stops at the first level too deep, so even a value nested a million levels is cheap.
 */
export function jsonProblem(value: unknown, maxDepth: number): string | undefined {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item === "string" || typeof item === "boolean") continue;
    if (typeof item === "number") {
      if (!Number.isFinite(item)) return "it holds a number that is not finite";
      continue;
    }
    if (typeof item !== "object") return `it holds a value of type ${typeof item}`;
    if (depth >= maxDepth) return `it nests deeper than ${maxDepth} levels`;
    if (Array.isArray(item)) {
      for (const element of item) stack.push([element, depth + 1]);
      continue;
    }
    const proto = Object.getPrototypeOf(item) as unknown;
    if (proto !== Object.prototype && proto !== null) return "it holds an object that is not a plain object";
    for (const key of Object.keys(item)) stack.push([(item as Record<string, unknown>)[key], depth + 1]);
  }
  return undefined;
}
