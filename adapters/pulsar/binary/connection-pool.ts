// One connection per broker, shared by every producer, consumer, reader and lookup of a client:
// a thousand idle readers cost one socket per broker. Callers that ask while a connection is
// being opened wait for the same one; a closed connection is forgotten, the next ask dials anew.
import { Connection, type ConnectionOptions } from './connection.js';
import { parseBrokerUrl, type BrokerAddress } from './service-url.js';

export class ConnectionPool {
  private readonly connections = new Map<string, Promise<Connection>>();
  private closed = false;

  constructor(private readonly opts: ConnectionOptions) {}

  /**
   * The connection for `logicalUrl` (the broker that owns a topic), dialled at `physical` (the
   * broker itself, or the service URL when a proxy forwards to the broker).
   */
  get(logicalUrl: string, physical?: BrokerAddress): Promise<Connection> {
    if (this.closed) return Promise.reject(new Error('the client is closed'));
    const target = physical ?? parseBrokerUrl(logicalUrl);
    const key = `${logicalUrl}|${target.url}`;
    const existing = this.connections.get(key);
    if (existing) return existing;
    const proxyTo = target.url !== parseBrokerUrl(logicalUrl).url ? logicalUrl : undefined;
    const opening = Connection.open(target, this.opts, proxyTo).then(
      (conn) => {
        conn.onClose(() => {
          if (this.connections.get(key) === opening) this.connections.delete(key);
        });
        if (this.closed) conn.close();
        return conn;
      },
      (err: unknown) => {
        if (this.connections.get(key) === opening) this.connections.delete(key);
        throw err;
      },
    );
    this.connections.set(key, opening);
    return opening;
  }

  /** Open connections (for metrics and tests). */
  get size(): number {
    return this.connections.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.connections.values()];
    this.connections.clear();
    for (const c of await Promise.allSettled(all)) if (c.status === 'fulfilled') c.value.close();
  }
}
