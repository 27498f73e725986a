// Holds callers while paused: each agent waits here before its next model call, so a pause takes effect
// between calls (a call in flight finishes) and a cancel while paused ends the wait at once.
export class PauseGate {
  private release: (() => void) | undefined;
  private opened: Promise<void> = Promise.resolve();

  get paused(): boolean {
    return this.release !== undefined;
  }

  pause(): void {
    if (this.release) return;
    this.opened = new Promise<void>((resolve) => (this.release = resolve));
  }

  resume(): void {
    const release = this.release;
    this.release = undefined;
    release?.();
  }

  async wait(signal: AbortSignal): Promise<void> {
    if (!this.release) return;
    signal.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      void this.opened.then(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      });
    });
  }
}
