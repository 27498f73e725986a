// The trusted script evaluated first in every fresh sandbox context. It captures the intrinsics it needs
// before the untrusted program runs (so the program cannot replace JSON, eval or Reflect under it), removes
// the one remaining source of non-determinism (Math.random; Date is left out of the context altogether), and
// returns two functions the host keeps handles to. Every failure is described *inside* the engine and comes
// back to the host as one bounded string "reason\nmessage", so the host never touches a hostile value
// (getters, Proxies, toString traps) directly.
export const HARNESS_SOURCE = String.raw`(() => {
  "use strict";
  const indirectEval = eval;
  const stringify = JSON.stringify;
  const parse = JSON.parse;
  const apply = Reflect.apply;
  const isArray = Array.isArray;
  const getPrototypeOf = Object.getPrototypeOf;
  const objectPrototype = Object.prototype;
  const isFiniteNumber = Number.isFinite;
  const toString = String;
  const slice = Function.prototype.call.bind(String.prototype.slice);
  const MESSAGE_CHARS = 300;

  Math.random = function random() {
    throw new Error("Math.random is not available in the sandbox: programs must be deterministic");
  };

  class NotJson { constructor(what) { this.what = what; } }

  // Reason for an exception thrown by the program; a lie told by the program only changes its own outcome.
  function describe(e, phase) {
    try {
      if (e instanceof NotJson) return "not-json\nthe result contains " + e.what;
      let name = "", message;
      if (e !== null && (typeof e === "object" || typeof e === "function")) {
        name = toString(e.name);
        message = toString(e.message);
      } else {
        message = "threw a non-error value: " + toString(e);
      }
      message = slice(message, 0, MESSAGE_CHARS);
      if (name === "InternalError" && (message === "out of memory" || message === "string too long")) return "memory\n" + message;
      if (message === "stack overflow" || message === "Maximum call stack size exceeded") return "stack\n" + message;
      if (phase === "load" && name === "SyntaxError") return "syntax\n" + message;
      if (phase === "serialize") return "not-json\nserializing the result threw " + name + ": " + message;
      return "threw\n" + (name ? name + ": " : "") + message;
    } catch (inner) {
      return "threw\nthe program threw a value that could not be described";
    }
  }

  // JSON.stringify would silently turn NaN into null and drop functions; a result must be JSON as it is.
  function strictJson(key, v) {
    switch (typeof v) {
      case "string": case "boolean": return v;
      case "number": if (isFiniteNumber(v)) return v; throw new NotJson("a non-finite number");
      case "object": {
        if (v === null || isArray(v)) return v;
        const proto = getPrototypeOf(v);
        if (proto === objectPrototype || proto === null) return v;
        throw new NotJson("an object that is not a plain object or array");
      }
      default: throw new NotJson("a value of type " + typeof v);
    }
  }

  let fn;
  // Evaluates the program as global code and looks up the function by name in the same evaluation, so
  // top-level const/let declarations are visible too (an indirect eval keeps them local to itself).
  function load(source, fnName) {
    let found;
    const lookup = "\n;typeof " + fnName + " === 'function' ? " + fnName + " : undefined";
    try { found = indirectEval(source + lookup); } catch (e) { return describe(e, "load"); }
    if (typeof found !== "function") return "no-function\nthe program defines no function named " + fnName;
    fn = found;
    return "ok\n";
  }

  function call(argsJson, outputChars) {
    let value, json;
    try { value = apply(fn, undefined, parse(argsJson)); } catch (e) { return describe(e, "call"); }
    try { json = stringify(value, strictJson); } catch (e) { return describe(e, "serialize"); }
    if (typeof json !== "string") return "not-json\nthe result is " + typeof value + ", not JSON";
    if (json.length > outputChars) return "output-too-large\nthe result has " + json.length + " characters; the limit is " + outputChars;
    return "ok\n" + json;
  }

  return [load, call];
})()`;
