// Negative acks: the entry goes back to the broker for redelivery after a delay, so a message
// that failed is not retried in a tight loop. One timer for all, checking a third of the delay.
import type { MessageIdData } from './commands.js';
import type { MessageId } from './message-id.js';

export class NegativeAckTracker {
  private readonly due = new Map<string, { id: MessageIdData; at: number }>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly delayMs: number,
    private readonly redeliver: (ids: MessageIdData[]) => void,
  ) {}

  add(id: MessageId): void {
    const key = `${id.ledgerId}:${id.entryId}`;
    if (!this.due.has(key)) this.due.set(key, { id: { ledgerId: id.ledgerId, entryId: id.entryId }, at: Date.now() + this.delayMs });
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), Math.max(10, Math.floor(this.delayMs / 3)));
      this.timer.unref();
    }
  }

  private tick(): void {
    const now = Date.now();
    const ready: MessageIdData[] = [];
    for (const [key, d] of this.due) {
      if (d.at <= now) {
        ready.push(d.id);
        this.due.delete(key);
      }
    }
    if (this.due.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    if (ready.length > 0) this.redeliver(ready);
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.due.clear();
  }
}
