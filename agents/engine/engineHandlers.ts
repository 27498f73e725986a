// Registering a typed request handler on the engine's connection: the protocol's request type fixes the
// parameter and result types, the client's cancellation becomes an AbortSignal, and errors become
// JSON-RPC errors that the client turns back into CultureLabErrors.
import type { CancellationToken, MessageConnection, RequestHandler, RequestType } from "vscode-jsonrpc/node";
import { toResponseError } from "./engineErrors";
import type { EngineErrorData } from "./protocol";

export type EngineHandlers = <P, R>(type: RequestType<P, R, EngineErrorData>, handler: (params: P, signal: AbortSignal) => Promise<R>) => void;

export function engineHandlers(connection: MessageConnection): EngineHandlers {
  return <P, R>(type: RequestType<P, R, EngineErrorData>, handler: (params: P, signal: AbortSignal) => Promise<R>) => {
    // vscode-jsonrpc's handler result type is conditional on R, which TypeScript cannot resolve for a generic R.
    const run = async (params: P, token: CancellationToken) => {
      const controller = new AbortController();
      const listener = token.onCancellationRequested(() => controller.abort());
      // A request cancelled before it was dispatched (a Ctrl-C while the engine was starting) gets vscode-jsonrpc's
      // static Cancelled token, whose event never fires: it must be read, not listened to.
      if (token.isCancellationRequested) controller.abort();
      try {
        return await handler(params, controller.signal);
      } catch (error) {
        return toResponseError(error);
      } finally {
        listener.dispose();
      }
    };
    connection.onRequest(type, run as RequestHandler<P, R, EngineErrorData>);
  };
}
