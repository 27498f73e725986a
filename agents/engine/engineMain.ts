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

const channel = new Socket({ fd: 3, readable: true, writable: true });
const connection = createMessageConnection(new StreamMessageReader(channel), new StreamMessageWriter(channel));
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

connection.listen();

// Proof of life for the client: a stopped (Ctrl-Z, SIGSTOP) or wedged engine falls silent, a busy one does not.
setInterval(() => void connection.sendNotification(engineHeartbeat, { at: Date.now() }).catch(() => undefined), HEARTBEAT_MS).unref();
