// Model output at the door of the game: anything that is not a well-formed proposal or answer becomes a typed
// failure, and the JSON Schemas given to the grammar builder are ones node-llama-cpp really accepts.
import assert from "node:assert/strict";
import { sharedLlama } from "../../agents/runtime/sharedLlama";
import { parseAnswer, parseProposal } from "../../agents/problems/modelOutput";
import { answerJsonSchemas, MODES, PROPOSAL_CAPS, proposalJsonSchema } from "../../agents/problems/schemas";

const valid = { mode: "deduction", program: "function f(x){ return x + 1 }", inputs: [[41]], hint: "" };

describe("model output for the problem game", () => {
  it("accepts a well-formed proposal given as text or as a decoded value", () => {
    assert.deepEqual(parseProposal(JSON.stringify(valid)), { ok: true, value: valid });
    assert.deepEqual(parseProposal(valid), { ok: true, value: valid });
  });

  it("refuses text that is not JSON, including truncated output", () => {
    for (const text of ["", "hello", '{"mode": "deduction", "program": "function f(', "{'mode': 1}"]) {
      const parsed = parseProposal(text);
      assert.equal(!parsed.ok && parsed.reason, "not-json", text);
    }
  });

  it("refuses wrong types, unknown modes and extra fields, naming the field", () => {
    const cases = [
      { ...valid, mode: "telepathy" },
      { ...valid, program: 42 },
      { ...valid, inputs: [41] },
      { ...valid, inputs: [] },
      { ...valid, extra: true },
      [valid],
      null,
    ];
    for (const value of cases) {
      const parsed = parseProposal(JSON.stringify(value));
      assert.equal(!parsed.ok && parsed.reason, "schema", JSON.stringify(value));
    }
    const wrongMode = parseProposal({ ...valid, mode: "telepathy" });
    assert.match(!wrongMode.ok ? wrongMode.message : "", /mode/);
  });

  it("refuses huge and deeply nested output before parsing it", () => {
    const huge = JSON.stringify({ ...valid, hint: "h".repeat(PROPOSAL_CAPS.textChars) });
    const parsedHuge = parseProposal(huge);
    assert.equal(!parsedHuge.ok && parsedHuge.reason, "too-large");
    const deep = `{"output": ${"[".repeat(5000)}${"]".repeat(5000)}}`;
    const parsedDeep = parseAnswer("deduction", deep);
    assert.equal(!parsedDeep.ok && parsedDeep.reason, "too-large");
    const brackets = parseAnswer("deduction", '{"output": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}');
    assert.equal(brackets.ok, true, "brackets inside a string are text, not nesting");
  });

  it("parses an answer for each mode and refuses one shaped for another mode", () => {
    assert.deepEqual(parseAnswer("deduction", '{"output": {"b": 2, "a": [1]}}'), { ok: true, value: { output: { b: 2, a: [1] } } });
    assert.deepEqual(parseAnswer("abduction", '{"input": [3, "x"]}'), { ok: true, value: { input: [3, "x"] } });
    assert.deepEqual(parseAnswer("induction", '{"program": "const f = x => x"}'), { ok: true, value: { program: "const f = x => x" } });
    const crossed = parseAnswer("abduction", '{"output": 3}');
    assert.equal(!crossed.ok && crossed.reason, "schema");
  });

  it("gives JSON Schemas that node-llama-cpp turns into grammars whose parser agrees with zod", async function () {
    // The process's one llama.cpp binding (sharedLlama.ts): a second one, disposed here, would leave llama.cpp's
    // global log callback pointing nowhere for every later load in this process.
    const llama = (await sharedLlama(false, 1)).llama;
    const proposalGrammar = await llama.createGrammarForJsonSchema(proposalJsonSchema as never);
    assert.deepEqual(proposalGrammar.parse(JSON.stringify(valid)), valid);
    const samples = { deduction: { output: { k: [1, null, true, "s"] } }, abduction: { input: [[1, 2], "x"] }, induction: { program: "function f(x){ return x }" } };
    for (const mode of MODES) {
      const grammar = await llama.createGrammarForJsonSchema(answerJsonSchemas[mode] as never);
      const text = JSON.stringify(samples[mode]);
      assert.deepEqual(grammar.parse(text), samples[mode]);
      assert.equal(parseAnswer(mode, text).ok, true);
    }
  });
});
