// The client-wide bound on what producers hold, as Java's client has it (`memoryLimit`, 64 MiB by
// default): every message's payload counts from send() until its receipt (or failure). A send
// that does not fit waits in its producer's queue; a release wakes the producers that wait.
// A message is let in whenever nothing is held, so one larger than the limit cannot wait forever.

/** A producer with sends waiting for room. */
export interface MemoryWaiter {
  /** Lets in as many waiting sends as fit now, in order. */
  admitWaiting(): void;
}

export const DEFAULT_MEMORY_LIMIT_BYTES = 64 * 1024 * 1024;

export class MemoryLimit {
  private used = 0;
  private readonly waiting = new Set<MemoryWaiter>();

  /** `limitBytes` 0: no limit. */
  constructor(readonly limitBytes: number) {}

  get usedBytes(): number {
    return this.used;
  }

  tryReserve(bytes: number): boolean {
    if (this.limitBytes > 0 && this.used > 0 && this.used + bytes > this.limitBytes) return false;
    this.used += bytes;
    return true;
  }

  release(bytes: number): void {
    if (bytes === 0) return;
    this.used -= bytes;
    if (this.waiting.size === 0) return;
    for (const w of [...this.waiting]) w.admitWaiting();
  }

  /** `w` has sends that did not fit: wake it on the next release. */
  wait(w: MemoryWaiter): void {
    this.waiting.add(w);
  }

  /** `w` has no waiting sends any more. */
  stopWaiting(w: MemoryWaiter): void {
    this.waiting.delete(w);
  }
}
