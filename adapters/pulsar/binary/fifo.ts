// A first-in first-out queue with O(1) push and shift (Array.prototype.shift is O(n), which
// hurts with 100k waiting sends): an array with a moving head, compacted once half is dead.
export class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  /** The item `i` places behind the head. */
  at(i: number): T | undefined {
    return this.items[this.head + i];
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Takes everything out, oldest first. */
  drain(): T[] {
    const all = this.items.slice(this.head) as T[];
    this.items = [];
    this.head = 0;
    return all;
  }

  /** Keeps only the items `keep` accepts; returns how many were dropped. */
  retain(keep: (item: T) => boolean): number {
    const before = this.length;
    this.items = (this.items.slice(this.head) as T[]).filter(keep);
    this.head = 0;
    return before - this.items.length;
  }
}
