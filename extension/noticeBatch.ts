// A session's warnings arrive together (the model replaced, the run shortened, the output noise): one toast says
// them all. VS Code shows at most three toasts at a time and drops any that come faster, so one toast per
// warning both buries the first ones and loses the rest.

/** How long after the first warning the others are waited for before the toast is shown. */
export const NOTICE_BATCH_MS = 750;

export class NoticeBatch {
  private pending: string[] = [];

  constructor(
    private readonly show: (text: string) => void,
    private readonly later: (flush: () => void) => void = (flush) => void setTimeout(flush, NOTICE_BATCH_MS),
  ) {}

  add(message: string): void {
    // The same warning twice in one burst is said once.
    if (this.pending.includes(message)) return;
    this.pending.push(message);
    if (this.pending.length === 1) this.later(() => this.flush());
  }

  private flush(): void {
    const messages = this.pending;
    this.pending = [];
    if (messages.length > 0) this.show(toastText(messages));
  }
}

/** One warning as it is; several in their order, each a sentence ending in a full stop. */
export function toastText(messages: readonly string[]): string {
  if (messages.length === 1) return messages[0]!;
  return `${messages.length} warnings: ${messages.map((m, i) => `(${i + 1}) ${/[.!?]$/.test(m.trim()) ? m.trim() : `${m.trim()}.`}`).join(" ")}`;
}
