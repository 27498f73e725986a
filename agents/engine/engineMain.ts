// The engine process: runs the model runtime (and later the knowledge base and the self-play loop) away from the
// editor, because llama.cpp can abort its process and a session can use many GB. It speaks JSON-RPC on file
// descriptor 3, not stdout, so nothing llama.cpp prints natively can corrupt the message stream.
import { Socket } from "node:net";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from "vscode-jsonrpc/node";
import { getModuleVersion } from "node-llama-cpp";
import { engineHandlers } from "./engineHandlers";
import { engineHeartbeat, engineHello, engineShutdown, HEARTBEAT_MS } from "./protocol";
import { registerRuntimeHandlers } from "./runtimeHandlers";
import { registerExperimentHandlers } from "./experimentHandlers";
import { registerSessionHandlers } from "./sessionHandlers";
import { registerWorkspaceHandlers } from "./workspaceHandlers";

// Anything JS would print goes to stderr, which the client reads as a log.
console.log = console.error;
console.info = console.error;

// Ctrl-C in a terminal reaches the whole process group. The engine's life belongs to its client, which
// cancels what runs (a session then stops at its next call and releases the knowledge base) and then stops it.
process.on("SIGINT", () => undefined);

// When the client dies (a killed CLI), writing to its pipes fails. The engine must still stop its session in
// order (which releases the knowledge base's lock), so those failures must not kill it: the log lines and
// notifications nobody can read any more are dropped (each with a line on stderr while it still works).
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => undefined);

const channel = new Socket({ fd: 3, readable: true, writable: true });
const connection = createMessageConnection(new StreamMessageReader(channel), new StreamMessageWriter(channel));
const sendNotification = connection.sendNotification.bind(connection) as (...args: unknown[]) => Promise<void>;
// (vscode-jsonrpc throws synchronously on a closed connection, and the callers say `void send…`.)
(connection as unknown as { sendNotification: (...args: unknown[]) => Promise<void> }).sendNotification = async (...args) => {
  try {
    await sendNotification(...args);
  } catch (error) {
    process.stderr.write(`engine: a notification to the client was lost: ${(error as Error).message}\n`);
  }
};
const handle = engineHandlers(connection);

const runtime = registerRuntimeHandlers(connection, handle);
const sessions = registerSessionHandlers(connection, handle);
registerExperimentHandlers(connection, handle, sessions);
registerWorkspaceHandlers(connection, handle, sessions);

handle(engineHello, async () => ({ pid: process.pid, node: process.version, nodeLlamaCpp: await getModuleVersion() }));
handle(engineShutdown, async () => {
  // A running session is stopped first, so it releases the knowledge base's lock before the process goes.
  await sessions.cancel();
  await runtime.dispose();
  // Answer first, then leave.
  setImmediate(() => process.exit(0));
  return null;
});

// The client went away (closed the channel or died): free the models and exit.
connection.onClose(async () => {
  await sessions.cancel().catch(() => undefined);
  await runtime.dispose().catch(() => undefined);
  process.exit(0);
});

// `kill <engine pid>`: stop like the client's shutdown, so the session releases the knowledge base's lock.
process.once("SIGTERM", () => {
  void (async () => {
    await sessions.cancel().catch(() => undefined);
    await runtime.dispose().catch(() => undefined);
    process.exit(143);
  })();
});

connection.listen();

// Proof of life for the client: a stopped (Ctrl-Z, SIGSTOP) or wedged engine falls silent, a busy one does not.
setInterval(() => void connection.sendNotification(engineHeartbeat, { at: Date.now() }).catch(() => undefined), HEARTBEAT_MS).unref();
