// The one error type that crosses a door (file, model output, setting, CLI argument): its message says what
// happened and, in `hint`, what the user can do about it. Code inside the doors trusts its types.
export class CultureLabError extends Error {
  constructor(
    /** Stable machine-readable code, e.g. "kb-corrupt", "model-missing". */
    readonly code: string,
    message: string,
    /** What the user can do next, in one sentence. */
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "CultureLabError";
  }

  /** The message a person reads: what happened, then what to do. */
  explain(): string {
    return this.hint ? `${this.message}\n  → ${this.hint}` : this.message;
  }
}
