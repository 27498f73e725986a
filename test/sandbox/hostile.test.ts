// The battery of hostile programs: each must come back as a typed failure (or a harmless value), the host
// must survive it, and the next run must see a pristine engine.
import assert from "node:assert/strict";
import { DEFAULT_LIMITS, Sandbox } from "../../agents/sandbox/sandbox";
import type { FailureReason, Json, RunOutcome } from "../../agents/sandbox/sandbox";

interface Hostile {
  name: string;
  program: string;
  /** The reasons it may fail with, and/or the one harmless value it may return instead. */
  reasons?: FailureReason[];
  value?: Json;
  args?: Json[];
  fn?: string;
}

const hostile: Hostile[] = [
  { name: "an infinite loop in the function", program: "function f(){ while (true) {} }", reasons: ["timeout"] },
  { name: "an infinite loop at top level", program: "for (;;) {} function f(){ return 1 }", reasons: ["timeout"] },
  { name: "a loop that swallows every exception", program: "function f(){ for (;;) { try { for (;;) {} } catch (e) {} } }", reasons: ["timeout"] },
  { name: "a loop in a finally block", program: "function f(){ try { for (;;) {} } finally { for (;;) {} } }", reasons: ["timeout"] },
  { name: "an array that grows without bound", program: "function f(){ const a = []; for (;;) a.push('x'.repeat(1000) + a.length) }", reasons: ["memory", "timeout"] },
  { name: "an array of small arrays that grows without bound", program: "function f(){ const a = []; for (;;) a.push([a.length]) }", reasons: ["memory", "timeout"] },
  { name: "a string that doubles until it breaks", program: "function f(){ let s = 'x'; for (;;) s += s }", reasons: ["memory"] },
  { name: "a billion-element array", program: "function f(){ return new Array(1e9).fill(0).length }", reasons: ["memory", "timeout"] },
  { name: "a program that catches its own out-of-memory error", program: "function f(){ try { const a = []; for (;;) a.push('x'.repeat(1e5) + a.length) } catch (e) { return 'survived' } }", reasons: ["memory", "timeout"], value: "survived" },
  { name: "a program that catches its own stack overflow", program: "function f(){ try { return (function r(){ return r() })() } catch (e) { return 'survived' } }", reasons: ["stack"], value: "survived" },
  { name: "a two-gigabyte ArrayBuffer", program: "function f(){ return new ArrayBuffer(2 ** 31).byteLength }", reasons: ["memory", "threw"] },
  { name: "infinite recursion", program: "function f(){ return f() + 1 }", reasons: ["stack"] },
  { name: "recursion through toString", program: "function f(){ const x = { toString(){ return String(this) } }; return String(x) }", reasons: ["stack"] },
  { name: "a Proxy whose get trap recurses", program: "function f(){ const p = new Proxy({}, { get(t, k, r){ return r[k] } }); return p.x }", reasons: ["stack"] },
  { name: "source nested deeper than the parser's stack", program: "function f(){ return eval('('.repeat(100000) + '1' + ')'.repeat(100000)) }", reasons: ["stack"] },
  { name: "a result nested a hundred thousand deep", program: "function f(){ let a = []; for (let i = 0; i < 100000; i++) a = [a]; return a }", reasons: ["stack", "not-json", "timeout", "memory"] },
  { name: "a look for host globals", program: "function f(){ return [typeof require, typeof process, typeof fetch, typeof setTimeout, typeof console, typeof WebAssembly, typeof std, typeof os, typeof Date, typeof SharedArrayBuffer].join() }", value: "undefined,undefined,undefined,undefined,object,undefined,undefined,undefined,undefined,undefined" }, // console: the harness's inert one
  { name: "a console that reaches the host", program: "function f(){ console.log('x'); return [Object.keys(console).join(), String(console.log('y'))].join('|') }", value: "log,info,warn,error,debug,table,dir|undefined" },
  { name: "the constructor.constructor escape", program: "function f(){ const g = f.constructor.constructor('return this')(); return [typeof g.process, typeof g.require, typeof g.module].join() }", value: "undefined,undefined,undefined" },
  { name: "a dynamic import()", program: "function f(){ return import('fs') }", reasons: ["not-json"] },
  { name: "a dynamic import() at top level", program: "import('node:child_process').then(m => m.execSync('touch /tmp/pwned')); function f(){ return 7 }", value: 7 },
  { name: "a static import", program: "import fs from 'fs'; function f(){ return 1 }", reasons: ["syntax"] },
  { name: "a require()", program: "function f(){ return require('fs').readFileSync('/etc/passwd', 'utf8') }", reasons: ["threw"] },
  { name: "a process.exit()", program: "function f(){ process.exit(1) }", reasons: ["threw"] },
  { name: "a fetch()", program: "function f(){ return fetch('http://127.0.0.1/') }", reasons: ["threw"] },
  { name: "a timer", program: "function f(){ setTimeout(() => {}, 0); return 1 }", reasons: ["threw"] },
  { name: "a job queued to run forever after the call", program: "function f(){ Promise.resolve().then(function spin(){ for (;;) {} }); return 1 }", value: 1 },
  { name: "an async function", program: "async function f(){ return 1 }", reasons: ["not-json"] },
  { name: "prototype pollution", program: "Object.prototype.polluted = 'yes'; Array.prototype.map = () => 'hacked'; globalThis.leak = 42; function f(){ return [1].map(x => x) }", value: "hacked" },
  { name: "replacing the serializer and reflection", program: "JSON.stringify = () => '\"forged\"'; JSON.parse = () => ['forged']; Reflect.apply = () => 'forged'; Object.getPrototypeOf = () => null; function f(x){ return { x } }", args: [5], value: { x: 5 } },
  { name: "reaching the harness through f.caller", program: "function f(){ let c = null; try { c = f.caller } catch (e) {} return c === null || c === undefined ? 'unreachable' : typeof c }", value: "unreachable" },
  { name: "a megabyte of output", program: "function f(){ return 'x'.repeat(1e6) }", reasons: ["output-too-large"] },
  { name: "a loop of megabyte string copies that rarely yields to the interrupt check", program: "function f(){ let s = '', i = 0; for (;;) s = 'x'.repeat(1e6) + i++ }", reasons: ["timeout"] },
  { name: "a catastrophic backtracking regex", program: "function f(){ return /(a+)+$/.test('a'.repeat(40) + 'b') }", reasons: ["timeout"] },
  { name: "a getter that throws while serializing", program: "function f(){ return { get x(){ throw new Error('boom') } } }", reasons: ["not-json"] },
  { name: "a toJSON that never returns", program: "function f(){ return { toJSON(){ for (;;) {} } } }", reasons: ["timeout"] },
  { name: "a Symbol result", program: "function f(){ return Symbol('s') }", reasons: ["not-json"] },
  { name: "a BigInt result", program: "function f(){ return 10n ** 30n }", reasons: ["not-json"] },
  { name: "a cyclic result", program: "function f(){ const a = []; a.push(a); return a }", reasons: ["not-json"] },
  { name: "a Proxy result whose ownKeys trap throws", program: "function f(){ return new Proxy({}, { ownKeys(){ throw new Error('no keys') } }) }", reasons: ["not-json"] },
  { name: "a Proxy result whose ownKeys trap never returns", program: "function f(){ return new Proxy({}, { ownKeys(){ for (;;) {} } }) }", reasons: ["timeout"] },
  { name: "a NaN result", program: "function f(){ return 0 / 0 }", reasons: ["not-json"] },
  { name: "an undefined result", program: "function f(){}", reasons: ["not-json"] },
  { name: "a function result", program: "function f(){ return f }", reasons: ["not-json"] },
  { name: "a Map result", program: "function f(){ return new Map([[1, 2]]) }", reasons: ["not-json"] },
  { name: "a clock read", program: "function f(){ return Date.now() }", reasons: ["threw"] },
  { name: "a random number", program: "function f(){ return Math.random() }", reasons: ["threw"] },
  { name: "a thrown Symbol", program: "function f(){ throw Symbol('x') }", reasons: ["threw"] },
  { name: "a thrown object whose message getter throws", program: "function f(){ throw { get name(){ throw 1 }, get message(){ throw 2 } } }", reasons: ["threw"] },
  { name: "a thrown Proxy that traps every read forever", program: "function f(){ throw new Proxy({}, { get(){ for (;;) {} } }) }", reasons: ["timeout"] },
  { name: "a thrown ten-megabyte string", program: "function f(){ throw 'e'.repeat(1e7) }", reasons: ["threw"] },
  { name: "a function name that smuggles code", program: "function f(){ return 1 }", fn: "f; for(;;){}", reasons: ["bad-call"] },
  { name: "a program longer than the cap", program: "function f(){ return 1 }\n//" + "x".repeat(DEFAULT_LIMITS.programChars), reasons: ["input-too-large"] },
  { name: "arguments longer than the cap", program: "function f(s){ return s.length }", args: ["y".repeat(DEFAULT_LIMITS.inputChars + 1)], reasons: ["input-too-large"] },
];

// Everything a program could have tampered with, as seen from a fresh run.
const PROBE = `function probe() {
  return {
    globals: Object.getOwnPropertyNames(globalThis).sort(),
    objectProto: Object.getOwnPropertyNames(Object.prototype).sort(),
    arrayMap: [1, 2].map(x => x * 2),
    json: JSON.stringify({ a: [1] }),
    leak: typeof leak,
  };
}`;

describe("the sandbox against hostile programs", function () {
  let sandbox: Sandbox;
  let pristine: RunOutcome;

  before(async () => {
    sandbox = await Sandbox.create();
    pristine = await sandbox.runPure(PROBE, { fn: "probe", args: [] });
    assert.equal(pristine.ok, true, JSON.stringify(pristine));
  });
  after(() => sandbox.dispose());

  it("has a battery of at least 30 hostile programs", () => {
    assert.ok(hostile.length >= 30, `only ${hostile.length}`);
  });

  for (const h of hostile) {
    it(`contains ${h.name}, and the next run sees a pristine engine`, async () => {
      const outcome = await sandbox.runPure(h.program, { fn: h.fn ?? "f", args: h.args ?? [] });
      if (outcome.ok) {
        assert.notEqual(h.value, undefined, `expected a failure, got ${JSON.stringify(outcome)}`);
        assert.deepEqual(outcome.value, h.value);
      } else {
        assert.ok((h.reasons ?? []).includes(outcome.reason), `${outcome.reason}: ${outcome.message}`);
      }
      // Generous: the bench measures the real overshoot; this only catches a run that was never stopped.
      assert.ok(outcome.ms < DEFAULT_LIMITS.timeoutMs + 2000, `took ${outcome.ms} ms`);
      const after = await sandbox.runPure(PROBE, { fn: "probe", args: [] });
      assert.deepEqual(after, { ...pristine, ms: after.ms });
    });
  }

  it("keeps messages from thrown values short", async () => {
    const outcome = await sandbox.runPure("function f(){ throw 'e'.repeat(1e7) }", { fn: "f", args: [] });
    assert.ok(!outcome.ok && outcome.message.length <= 400, JSON.stringify(outcome).slice(0, 200));
  });

  it("leaves no file behind from a program that tried to spawn a process", async () => {
    const { existsSync } = await import("node:fs");
    await sandbox.runPure("import('node:child_process').then(m => m.execSync('touch /tmp/pwned')); function f(){ return 7 }", {
      fn: "f",
      args: [],
    });
    assert.equal(existsSync("/tmp/pwned"), false);
  });
});
