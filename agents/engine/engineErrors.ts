// How errors cross the process boundary: a CultureLabError travels as a JSON-RPC error with its code and hint
// and is rebuilt on the client; anything else is an engine bug and arrives as such, with its message.
import { ResponseError } from "vscode-jsonrpc/node";
import { CultureLabError } from "../../workspace-kb/errors";
import type { EngineErrorData } from "./protocol";

/** JSON-RPC error code for a CultureLabError (application range, below the reserved -32000..-32099). */
const CULTURE_LAB_ERROR = -31000;

export function toResponseError(error: unknown): ResponseError<EngineErrorData> {
  if (error instanceof CultureLabError) return new ResponseError(CULTURE_LAB_ERROR, error.message, { code: error.code, hint: error.hint });
  const message = error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error);
  return new ResponseError(CULTURE_LAB_ERROR, `internal engine error — please report it: ${message}`, { code: "engine-internal" });
}

export function fromResponseError(error: unknown): unknown {
  if (error instanceof ResponseError && error.data && typeof (error.data as EngineErrorData).code === "string") {
    const data = error.data as EngineErrorData;
    return new CultureLabError(data.code, error.message, data.hint);
  }
  return error;
}
