// The trusted script evaluated first in every fresh sandbox context. It captures the intrinsics it needs
// before the untrusted program runs (so the program cannot replace JSON, eval or Reflect under it), removes
// the one remaining source of non-determinism (Math.random; Date is left out of the context altogether), gives
// an inert console, and
// returns two functions the host keeps handles to. Every failure is described *inside* the engine and comes
// back to the host as one bounded string "reason\nmessage", so the host never touches a hostile value
// (getters, Proxies, toString traps) directly.
//
// Parsing this script is a large share of a run's cost, so the code that describes failures is kept as a
// string and compiled only when a run fails (with the captured eval, which the program cannot replace).

// Turns whatever the program threw into "reason\nmessage"; a lie told by the program only changes its own outcome.
const DESCRIBE_SOURCE = String.raw`(function (toString, slice, notJson) {
  return function describe(e, phase, notJsonWhat) {
    try {
      if (e === notJson) return "not-json\nthe result contains " + notJsonWhat;
      let name = "", message;
      if (e !== null && (typeof e === "object" || typeof e === "function")) {
        name = slice(toString(e.name), 0, 100);
        message = toString(e.message);
      } else {
        message = "threw a non-error value: " + toString(e);
      }
      message = slice(message, 0, 300);
      if (name === "InternalError" && (message === "out of memory" || message === "string too long")) return "memory\n" + message;
      if (message === "stack overflow" || message === "Maximum call stack size exceeded") return "stack\n" + message;
      if (phase === "load" && name === "SyntaxError") return "syntax\n" + message;
      if (phase === "serialize") return "not-json\nserializing the result threw " + name + ": " + message;
      return "threw\n" + (name ? name + ": " : "") + message;
    } catch (inner) {
      return "threw\nthe program threw a value that could not be described";
    }
  };
})`;

export const HARNESS_SOURCE = String.raw`(() => {
  "use strict";
  const indirectEval = eval, stringify = JSON.stringify, parse = JSON.parse, apply = Reflect.apply;
  const isArray = Array.isArray, getPrototypeOf = Object.getPrototypeOf, objectPrototype = Object.prototype;
  const isFiniteNumber = Number.isFinite, toString = String;
  const slice = Function.prototype.call.bind(String.prototype.slice);
  // Models add console.log to their programs out of habit; output goes nowhere, and no program fails for it.
  const quiet = function log() {};
  globalThis.console = { log: quiet, info: quiet, warn: quiet, error: quiet, debug: quiet, table: quiet, dir: quiet };
  Math.random = function random() {
    throw new Error("Math.random is not available in the sandbox: programs must be deterministic");
  };

  const notJson = {};
  let notJsonWhat = "", describeFn;
  const describe = (e, phase) =>
    (describeFn ||= indirectEval(${JSON.stringify(DESCRIBE_SOURCE)})(toString, slice, notJson))(e, phase, notJsonWhat);

  // JSON.stringify would silently turn NaN into null and drop functions; a result must be JSON as it is.
  function strictJson(key, v) {
    const type = typeof v;
    if (type === "string" || type === "boolean" || v === null || (type === "number" && isFiniteNumber(v))) return v;
    if (type === "object") {
      if (isArray(v)) return v;
      const proto = getPrototypeOf(v);
      if (proto === objectPrototype || proto === null) return v;
      notJsonWhat = "an object that is not a plain object or array";
    } else {
      notJsonWhat = type === "number" ? "a non-finite number" : "a value of type " + type;
    }
    throw notJson;
  }

  let fn;
  // Evaluates the program as global code and looks the function up in the same evaluation, so top-level
  // const/let declarations are visible too (an indirect eval keeps them local to itself).
  function load(source, fnName) {
    let found;
    try {
      found = indirectEval(source + "\n;typeof " + fnName + " === 'function' ? " + fnName + " : undefined");
    } catch (e) { return describe(e, "load"); }
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
