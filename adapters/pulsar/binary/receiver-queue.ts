// The queue between the broker and the application: messages the broker pushed (within the flow
// permits the consumer granted) wait here until receive() takes them. Several topic consumers
// can feed one queue: that is what a multi-topic or partitioned consumer reads from. An array
// with a moving head keeps push and shift O(1) without a linked list.
import type { Message } from './message.js';
import { TimeoutError } from './errors.js';

export interface QueuedMessage extends Message {
  /** Tells the feeding consumer the application took the message (flow permits). */
  readonly onDequeue?: (m: Message) => void;
}

interface Waiter {
  resolve(m: Message): void;
  reject(err: Error): void;
  timer?: NodeJS.Timeout;
}

export class ReceiverQueue {
  private items: QueuedMessage[] = [];
  private head = 0;
  private waiters: Waiter[] = [];
  private closedWith?: Error;

  get length(): number {
    return this.items.length - this.head;
  }

  push(m: QueuedMessage): void {
    const w = this.waiters.shift();
    if (w) {
      clearTimeout(w.timer);
      m.onDequeue?.(m);
      w.resolve(m);
      return;
    }
    this.items.push(m);
  }

  /** The next message; waits up to `timeoutMs` (forever when undefined). */
  receive(timeoutMs?: number): Promise<Message> {
    if (this.head < this.items.length) return Promise.resolve(this.shift());
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise((resolve, reject) => {
      const w: Waiter = { resolve, reject };
      if (timeoutMs !== undefined) {
        w.timer = setTimeout(() => {
          this.waiters = this.waiters.filter((x) => x !== w);
          reject(new TimeoutError(`no message within ${timeoutMs} ms`));
        }, timeoutMs);
      }
      this.waiters.push(w);
    });
  }

  /** The next message if one is queued, without waiting. */
  tryReceive(): Message | undefined {
    return this.head < this.items.length ? this.shift() : undefined;
  }

  private shift(): Message {
    const m = this.items[this.head]!;
    this.items[this.head++] = undefined as unknown as QueuedMessage;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    m.onDequeue?.(m);
    return m;
  }

  /** Drops queued messages that `keep` rejects; returns how many went. */
  remove(drop: (m: QueuedMessage) => boolean): number {
    const before = this.length;
    this.items = this.items.slice(this.head).filter((m) => !drop(m));
    this.head = 0;
    return before - this.items.length;
  }

  /** Fails waiting and future receive() calls. */
  close(err: Error): void {
    this.closedWith = err;
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(err);
    }
  }
}
