// What acknowledgements a consumer owes the broker, grouped: individual acks collect for up to
// ackGroupingTimeMs (or 1000 ids) and go in one CommandAck; a cumulative ack keeps only the
// newest position. Messages of a batch share one entry: without batch-index acks the entry is
// acknowledged once all of its messages are; with them, each partial ack carries an ack set
// (bits still unacknowledged), which the broker must have enabled
// (acknowledgmentAtBatchIndexLevelEnabled) or it would treat it as an ack of the whole entry.
import type { MessageIdData } from './commands.js';
import { ackSetWithout } from './message.js';
import type { MessageId } from './message-id.js';

const MAX_GROUP = 1000;

export class AckTracker {
  private individual: MessageIdData[] = [];
  private cumulative?: MessageIdData;
  private timer?: NodeJS.Timeout;
  /** Entry key → batch indexes acknowledged so far, for batches not yet complete. */
  private readonly partialBatches = new Map<string, Set<number>>();

  constructor(
    private readonly groupingMs: number,
    private readonly batchIndexAck: boolean,
    /** Sends; false when there is no connection (the acks are kept for the next flush). */
    private readonly sendAcks: (individual: MessageIdData[], cumulative: MessageIdData | undefined) => boolean,
  ) {}

  individualAck(id: MessageId): void {
    if (id.chunks) {
      for (const c of id.chunks) this.add({ ledgerId: c.ledgerId, entryId: c.entryId });
      return;
    }
    if (id.batchIndex >= 0 && id.batchSize > 1) {
      const key = `${id.ledgerId}:${id.entryId}`;
      let acked = this.partialBatches.get(key);
      if (!acked) this.partialBatches.set(key, (acked = new Set()));
      acked.add(id.batchIndex);
      if (acked.size < id.batchSize) {
        if (this.batchIndexAck) this.add({ ledgerId: id.ledgerId, entryId: id.entryId, ackSet: ackSetWithout(id.batchSize, acked) });
        return;
      }
      this.partialBatches.delete(key);
    }
    this.add({ ledgerId: id.ledgerId, entryId: id.entryId });
  }

  cumulativeAck(id: MessageId): void {
    let pos: MessageIdData;
    if (id.batchIndex >= 0 && id.batchSize > 1 && id.batchIndex < id.batchSize - 1) {
      pos = this.batchIndexAck
        ? { ledgerId: id.ledgerId, entryId: id.entryId, ackSet: ackSetWithout(id.batchSize, range(id.batchIndex + 1)) }
        : { ledgerId: id.ledgerId, entryId: id.entryId - 1 }; // the batch is not complete: up to the entry before
    } else {
      pos = { ledgerId: id.ledgerId, entryId: id.entryId };
    }
    for (const key of this.partialBatches.keys()) {
      const [l, e] = key.split(':').map(Number) as [number, number];
      if (l < id.ledgerId || (l === id.ledgerId && e < id.entryId)) this.partialBatches.delete(key);
    }
    const c = this.cumulative;
    if (!c || pos.ledgerId > c.ledgerId || (pos.ledgerId === c.ledgerId && pos.entryId >= c.entryId)) this.cumulative = pos;
    this.schedule();
  }

  /** An entry goes back to the broker (negative ack, redelivery): forget its partial acks. */
  forgetEntry(ledgerId: number, entryId: number): void {
    this.partialBatches.delete(`${ledgerId}:${entryId}`);
  }

  forgetAll(): void {
    this.partialBatches.clear();
  }

  private add(d: MessageIdData): void {
    this.individual.push(d);
    if (this.groupingMs <= 0 || this.individual.length >= MAX_GROUP) this.flush();
    else this.schedule();
  }

  private schedule(): void {
    if (this.groupingMs <= 0) {
      this.flush();
      return;
    }
    if (!this.timer) this.timer = setTimeout(() => this.flush(), this.groupingMs);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.individual.length === 0 && !this.cumulative) return;
    if (!this.sendAcks(this.individual, this.cumulative)) return; // kept: sent after the reconnect
    this.individual = [];
    this.cumulative = undefined;
  }

  /** Acks not yet sent (they would be lost with the connection; the broker redelivers). */
  get pending(): number {
    return this.individual.length + (this.cumulative ? 1 : 0);
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
