// An error as a person reads it: a CultureLabError's message and what to do; anything else is our bug.
import { CultureLabError } from "../workspace-kb/errors";

export function describeError(error: unknown): string {
  if (error instanceof CultureLabError) return error.hint ? `${error.message} ${error.hint}` : error.message;
  const message = error instanceof Error ? error.message : String(error);
  return `internal error — please report it (Culture Lab: Show Log has the details): ${message}`;
}
