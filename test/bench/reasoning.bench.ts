// `npm run bench:reasoning [N]`: how many tokens "reason, then answer" costs per solver call, three ways side by side.
// Token cost of "reason, then answer" on the tiny model: a reasoning field in the grammar vs a free-text turn
// followed by a constrained JSON turn vs no reasoning. The tiny model's weights are random: this measures
// what the machinery spends, not what a real model would write.
import { openRuntime } from "../../agents/runtime/runtime";
import { solverPrompt, solverSchema } from "../../agents/loop/prompts";
import { answerJsonSchemas } from "../../agents/problems/schemas";
import { tinyModelDir } from "../runtime/tinyModel";
const tiny = await tinyModelDir();
const rt = await openRuntime({ model: tiny.modelPath, modelsDir: tiny.dir, gpu: false, threads: 1, contextSize: 4096 });
const N = Number(process.argv[2] ?? 12);
const view = { mode: "deduction" as const, program: "function f(xs) {\n  return xs.filter(x => x > 2).length;\n}", input: [[1, 5, 3, 2, 8]] };
const prompt = solverPrompt(view, []);
const { $defs, ...answer } = answerJsonSchemas.deduction;
const noReasoning = { type: "object", properties: { answer, cites: { type: "array", items: { type: "string" } } }, required: ["answer", "cites"], ...($defs ? { $defs } : {}) };
const stats: Record<string, { tokens: number[]; ms: number[]; ok: number }> = {};
const add = (k: string, tokens: number, ms: number, ok: boolean) => { (stats[k] ??= { tokens: [], ms: [], ok: 0 }).tokens.push(tokens); stats[k]!.ms.push(ms); if (ok) stats[k]!.ok++; };
for (let i = 0; i < N; i++) {
  const a = await rt.agent({ id: `m${i}`, sampling: { seed: 100 + i, maxTokens: 512 } });
  let t = performance.now();
  const r1 = await a.generateJson(prompt, noReasoning);
  add("JSON only (no reasoning)", r1.usage.completionTokens, performance.now() - t, r1.ok);
  t = performance.now();
  const r2 = await a.generateJson(prompt, solverSchema("deduction") as Record<string, unknown>);
  add("reasoning field, then answer (chosen)", r2.usage.completionTokens, performance.now() - t, r2.ok);
  t = performance.now();
  const think = await a.generateText(`${prompt}\nThink step by step first; the answer comes in the next turn.`);
  const r3 = await a.generateJson(`${prompt}\nYour thinking:\n${think.text}\nNow the JSON answer.`, noReasoning);
  add("free-text turn, then JSON turn", think.usage.completionTokens + r3.usage.completionTokens, performance.now() - t, r3.ok);
}
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
console.log(`tiny model, ${N} deduction solver calls each, maxTokens 512, prompt ${prompt.length} chars`);
for (const [k, s] of Object.entries(stats)) console.log(`${k.padEnd(40)} mean completion tokens ${mean(s.tokens).toFixed(0).padStart(4)}  mean ms ${mean(s.ms).toFixed(0).padStart(5)}  parsed ${s.ok}/${N}`);
await rt.dispose();
await tiny.cleanup();
