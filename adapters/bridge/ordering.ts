// Decides which received messages may start now, under Function Mesh's ordering fields:
//   none   (default)           up to `concurrency` at once, in arrival order;
//   key    (retainKeyOrdering) one at a time per key, up to `concurrency` keys at once;
//                              messages without a key carry no order and run independently;
//   strict (retainOrdering)    one at a time, in arrival order.
// A message's retries happen while it holds its slot, so a failing message blocks its key (or
// the whole stream under strict order) exactly as ordering demands.

import { Fifo } from '../pulsar/binary/fifo.js';

export type OrderingMode = 'none' | 'key' | 'strict';

export class OrderingScheduler<T extends object> {
  private readonly groups = new Map<unknown, T[]>(); // head of each queue is running or ready
  private readonly ready: unknown[] = []; // groups whose head waits for a slot, oldest head first
  private readonly groupOf = new Map<T, unknown>();
  private readonly arrival = new Map<T, number>();
  private seq = 0;
  private running = 0;
  // Without ordering (the default, and every message through it) a queue and a set do: no group,
  // key or arrival bookkeeping per message.
  private readonly unordered: boolean;
  private readonly started = new Set<T>();
  private readonly waiting = new Fifo<T>();

  constructor(
    private readonly mode: OrderingMode,
    private readonly concurrency: number,
    private readonly start: (item: T) => void,
  ) {
    this.unordered = mode === 'none';
  }

  get inFlight(): number {
    return this.running;
  }

  get size(): number {
    return this.unordered ? this.started.size + this.waiting.length : this.groupOf.size;
  }

  submit(item: T, key?: string): void {
    if (this.unordered) {
      if (this.running < this.concurrency) this.begin(item);
      else this.waiting.push(item);
      return;
    }
    const group = this.mode === 'strict' ? 'all' : this.mode === 'key' && key !== undefined ? `k:${key}` : {};
    this.groupOf.set(item, group);
    this.arrival.set(item, this.seq++);
    const queue = this.groups.get(group);
    if (queue) queue.push(item);
    else {
      this.groups.set(group, [item]);
      this.ready.push(group); // the newest arrival: its place is last
    }
    this.pump();
  }

  /** The item finished (delivered, dead-lettered or given back): its slot and key are free. */
  complete(item: T): void {
    if (this.unordered) {
      if (!this.started.delete(item)) return;
      this.running--;
      const next = this.waiting.shift();
      if (next) this.begin(next);
      return;
    }
    const group = this.groupOf.get(item);
    if (group === undefined) return;
    this.groupOf.delete(item);
    this.arrival.delete(item);
    const queue = this.groups.get(group)!;
    if (queue[0] !== item) throw new Error('OrderingScheduler: completed an item that was not running');
    queue.shift();
    this.running--;
    if (queue.length) this.makeReady(group, this.arrival.get(queue[0]!)!);
    else this.groups.delete(group);
    this.pump();
  }

  /** Removes and returns every item not started yet (to hand back at shutdown). */
  drain(): T[] {
    if (this.unordered) return this.waiting.drain();
    const waiting: T[] = [];
    const readySet = new Set(this.ready);
    for (const [group, queue] of this.groups) {
      const firstWaiting = readySet.has(group) ? 0 : 1;
      waiting.push(...queue.splice(firstWaiting));
      if (!queue.length) this.groups.delete(group);
    }
    this.ready.length = 0;
    waiting.sort((a, b) => this.arrival.get(a)! - this.arrival.get(b)!);
    for (const item of waiting) {
      this.groupOf.delete(item);
      this.arrival.delete(item);
    }
    return waiting;
  }

  private begin(item: T): void {
    this.started.add(item);
    this.running++;
    this.start(item);
  }

  // Keeps `ready` sorted by the arrival of each group's head, so the oldest message goes first.
  private makeReady(group: unknown, headSeq: number): void {
    let lo = 0;
    let hi = this.ready.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.headSeq(this.ready[mid]) < headSeq) lo = mid + 1;
      else hi = mid;
    }
    this.ready.splice(lo, 0, group);
  }

  private headSeq(group: unknown): number {
    return this.arrival.get(this.groups.get(group)![0]!)!;
  }

  private pump(): void {
    while (this.running < this.concurrency && this.ready.length) {
      const group = this.ready.shift();
      this.running++;
      this.start(this.groups.get(group)![0]!);
    }
  }
}
