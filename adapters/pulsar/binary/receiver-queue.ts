// The queue between the broker and the application: messages the broker pushed (within the flow
// permits the consumer granted) wait here until receive() takes them. Several topic consumers
// can feed one queue: that is what a multi-topic or partitioned consumer reads from. An array
// with a moving head keeps push and shift O(1) without a linked list.
import type { Message } from './message.js';
import { TimeoutError } from './errors.js';
import { Fifo } from './fifo.js';

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
  private readonly items = new Fifo<QueuedMessage>();
  private waiters: Waiter[] = [];
  private closedWith?: Error;

  get length(): number {
    return this.items.length;
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
    if (this.items.length > 0) return Promise.resolve(this.shift());
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
    return this.items.length > 0 ? this.shift() : undefined;
  }

  private shift(): Message {
    const m = this.items.shift()!;
    m.onDequeue?.(m);
    return m;
  }

  /** Drops queued messages that `drop` picks; returns how many went. */
  remove(drop: (m: QueuedMessage) => boolean): number {
    return this.items.retain((m) => !drop(m));
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
