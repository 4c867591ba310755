// What every producer and consumer of one client shares: the connection pool, the lookup
// service, the id counter (producer and consumer ids are unique per client, so an id stays valid
// on whatever connection the object lands on after a reconnect), the producers' memory limit and the
// timeouts.
import type { ConnectionPool } from './connection-pool.js';
import type { LookupService } from './lookup.js';
import type { MemoryLimit } from './memory-limit.js';

export interface ClientContext {
  pool: ConnectionPool;
  lookup: LookupService;
  /** What all producers of the client may hold in payload bytes. */
  memory: MemoryLimit;
  operationTimeoutMs: number;
  newId(): number;
}
