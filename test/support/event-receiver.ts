// The end of a mesh: an HTTP server the Sink delivers to (on the pod gateway, so pods reach it),
// counting every event by its data, so duplicates are counted and a missing one is named.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export class EventReceiver {
  /** data → times received */
  readonly counts = new Map<string, number>();
  /** ms since the epoch of each first arrival, by data */
  readonly firstAt = new Map<string, number>();
  /** ms since the epoch of the latest arrival */
  lastArrival = 0;
  private constructor(private readonly server: http.Server, readonly url: string) {}

  /**
   * `responseDelayMs`: each answer waits this long after the event is counted, as a slow service
   * downstream would. The Sink's bridge has a bounded number of deliveries in flight, so this caps
   * what one Sink pod delivers a second, and a backlog the scaler sees builds up behind it.
   */
  static async start(host: string, { responseDelayMs = 0 } = {}): Promise<EventReceiver> {
    const counted: { receiver?: EventReceiver } = {};
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => {
        counted.receiver!.record(Buffer.concat(chunks).toString('utf8'));
        if (responseDelayMs > 0) setTimeout(() => res.writeHead(204).end(), responseDelayMs);
        else res.writeHead(204).end();
      });
    });
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, host, resolve));
    counted.receiver = new EventReceiver(server, `http://${host}:${(server.address() as AddressInfo).port}/`);
    return counted.receiver;
  }

  private record(data: string): void {
    this.counts.set(data, (this.counts.get(data) ?? 0) + 1);
    this.lastArrival = Date.now();
    if (!this.firstAt.has(data)) this.firstAt.set(data, Date.now());
  }

  get unique(): number { return this.counts.size; }
  get duplicates(): number { let n = 0; for (const c of this.counts.values()) n += c - 1; return n; }
  /** Which of `expected` never arrived. */
  missing(expected: Iterable<string>): string[] { return [...expected].filter((d) => !this.counts.has(d)); }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
