// Agents generating on one context take each decoding step together. node-llama-cpp decodes whatever tokens
// are queued when its dispatcher looks; left alone, each agent queues its next token as soon as its own sample
// arrives, so a step's tokens are spread over several decodes (on a fast model, one decode per agent). The
// barrier holds each agent after its token until every generating agent has its token, then lets them all
// continue in slot order; `cohort` is who was let go and has not yet been seen in a batch, so the batch
// strategy (batchOrder.ts) can wait for all of them. Measured in test/bench/llm.bench.ts.

export class StepBarrier {
  /** Generating agents by slot (= sequence id); a function while waiting to continue. */
  private readonly members = new Map<number, (() => void) | undefined>();
  /** Slots released for the current step whose next token has not been dispatched yet. */
  readonly cohort = new Set<number>();

  /** From its first generated token on, an agent takes part in every step. */
  join(slot: number): void {
    this.members.set(slot, undefined);
  }

  leave(slot: number): void {
    this.members.delete(slot);
    this.cohort.delete(slot);
    this.releaseIfAllWaiting();
  }

  /** Resolves when every member has its token for this step; members continue in slot order. */
  ready(slot: number): Promise<void> {
    return new Promise((resolve) => {
      this.members.set(slot, resolve);
      this.releaseIfAllWaiting();
    });
  }

  private releaseIfAllWaiting(): void {
    const waiting = [...this.members.entries()];
    if (waiting.length === 0 || waiting.some(([, release]) => release === undefined)) return;
    waiting.sort(([a], [b]) => a - b);
    for (const [slot] of waiting) {
      this.members.set(slot, undefined);
      this.cohort.add(slot);
    }
    for (const [, release] of waiting) release!();
  }
}
