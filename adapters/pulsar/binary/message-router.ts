// Which partition a message goes to, as Pulsar's Java client decides by default: a keyed message
// to murmur3(key) mod partitions, so one key keeps its order on one partition; others round
// robin, staying on one partition for a batch's worth of messages (or the batching delay) so
// batches fill up.
import { murmur3Hash32 } from './murmur3.js';

export class MessageRouter {
  private cursor = Math.floor(Math.random() * 1_000_000);
  private sinceSwitch = 0;
  private switchedAt = Date.now();

  constructor(
    private readonly batching: boolean,
    private readonly batchMessages: number,
    private readonly batchDelayMs: number,
  ) {}

  choose(key: string | undefined, partitions: number): number {
    if (partitions <= 1) return 0;
    if (key !== undefined && key !== '') return murmur3Hash32(key) % partitions;
    if (!this.batching) return this.cursor++ % partitions;
    const now = Date.now();
    if (++this.sinceSwitch > this.batchMessages || now - this.switchedAt > this.batchDelayMs) {
      this.cursor++;
      this.sinceSwitch = 1;
      this.switchedAt = now;
    }
    return this.cursor % partitions;
  }
}
