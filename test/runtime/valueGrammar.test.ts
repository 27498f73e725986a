// Values that carry their own GBNF inside a JSON schema (agents/runtime/valueGrammar.ts): spliced into the
// grammar node-llama-cpp makes, left out of what the door check and servers read, refused when malformed.
import assert from "node:assert/strict";
import { cappedString, hasValueGrammars, placeholders, VALUE_GRAMMAR_KEY, withoutValueGrammars } from "../../agents/runtime/valueGrammar";
import { sharedLlama } from "../../agents/runtime/sharedLlama";
import { CultureLabError } from "../../workspace-kb/errors";

const digits = { start: "x-digits", rules: 'x-digits ::= "\\"" [0-9]{1,3} "\\""' };
const schema = { type: "object", properties: { code: { type: "string", [VALUE_GRAMMAR_KEY]: digits }, note: cappedString(10), other: cappedString(20) }, required: ["code", "note", "other"] };

describe("values with a grammar of their own", () => {
  it("are left out of the schema a validator or a server reads, which keeps each value's JSON type", () => {
    const plain = withoutValueGrammars(schema);
    assert.equal(hasValueGrammars(plain), false);
    assert.equal(hasValueGrammars(schema), true);
    assert.deepEqual(plain, { type: "object", properties: { code: { type: "string" }, note: { type: "string" }, other: { type: "string" } }, required: ["code", "note", "other"] });
  });

  it("are spliced into node-llama-cpp's grammar in place of their placeholders, each shared rule written once", async function () {
    this.timeout(60_000);
    const { schema: replaced, splice } = placeholders(schema);
    assert.equal(hasValueGrammars(replaced), false);
    const llama = (await sharedLlama(false, 1)).llama;
    const json = await llama.createGrammarForJsonSchema(replaced as never);
    const gbnf = splice(json.grammar);
    assert.doesNotMatch(gbnf, /@x-gbnf-\d+@/);
    assert.match(gbnf, /x-digits ::= /);
    assert.equal(gbnf.match(/^x-text-char ::=/gm)?.length, 1, "two capped strings share one character rule");
    // llama.cpp parses the grammar (a malformed one throws here).
    await llama.createGrammar({ grammar: gbnf });
  });

  it("are refused with a clear error when a rule could collide with node-llama-cpp's or the start rule is missing", () => {
    const bad = (grammar: unknown) => () => placeholders({ type: "string", [VALUE_GRAMMAR_KEY]: grammar });
    assert.throws(bad({ start: "digits", rules: 'digits ::= "1"' }), (e: unknown) => e instanceof CultureLabError && e.code === "bad-schema" && /must start with "x-"/.test(e.message));
    assert.throws(bad({ start: "x-a", rules: 'x-b ::= "1"' }), /has no rule x-a/);
    assert.throws(bad("x-a ::= 1"), /must be \{"start"/);
  });
});
