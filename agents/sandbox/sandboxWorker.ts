// The sandbox's worker thread: owns one QuickJsRunner and runs requests from the main thread one at a time.
// It lives in its own thread so the main thread can always stop it (Worker.terminate) when a program keeps
// QuickJS busy in native code between two interrupt polls.
import { parentPort, workerData } from "node:worker_threads";
import { QuickJsRunner } from "./quickJsRunner";
import type { EngineMessage, RunRequest } from "./workerProtocol";

const port = parentPort;
if (!port) throw new Error("sandboxWorker.ts runs only as a worker thread");

const runner = new QuickJsRunner();
await runner.load((workerData as { memoryBytes: number }).memoryBytes);
const send = (message: EngineMessage) => port.postMessage(message);
send({ type: "ready" });

let queue = Promise.resolve();
port.on("message", (request: RunRequest) => {
  queue = queue.then(async () => {
    try {
      const outcomes = await runner.run(request.program, request.fnName, request.argsJson, request.limits);
      send({ type: "done", id: request.id, outcomes, engineRestarts: runner.restarts });
    } catch (error) {
      send({ type: "failed", id: request.id, message: error instanceof Error ? error.message : String(error) });
    }
  });
});
