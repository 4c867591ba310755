// Creating a producer or consumer on the broker, the same way for both: look the topic up, register
// the handler on that broker's connection under its client-wide id (so messages and receipts that
// arrive with the answer find it), send the create command and check the answer and its races.
import type { ClientContext } from './client-context.js';
import { CommandType, type BaseCommand } from './commands.js';
import type { Connection, ConsumerHandler, ProducerHandler } from './connection.js';
import { BrokerError, ConnectionClosedError } from './errors.js';

export type HandleKind = 'producer' | 'consumer';

export interface HandleCreation {
  ctx: ClientContext;
  topic: string;
  kind: HandleKind;
  id: number;
  handler: ProducerHandler | ConsumerHandler;
  /** The create command (PRODUCER or SUBSCRIBE) carrying `requestId`. */
  command(requestId: number): { type: number } & Record<string, unknown>;
  /** In errors: "create producer on …", "subscribe … on …". */
  what: string;
  /** False when the owner was closed while the request was out. */
  stillWanted(): boolean;
}

/**
 * Creates the handle; resolves with the connection and the broker's answer, or with undefined when
 * the owner was closed meanwhile (the broker is told to close it again and nothing is kept).
 */
export async function createHandle(h: HandleCreation): Promise<{ conn: Connection; res: BaseCommand } | undefined> {
  const { logicalUrl, physical } = await h.ctx.lookup.lookup(h.topic);
  const conn = await h.ctx.pool.get(logicalUrl, physical);
  const handlers: Map<number, ProducerHandler | ConsumerHandler> = h.kind === 'producer' ? conn.producers : conn.consumers;
  handlers.set(h.id, h.handler);
  const requestId = conn.newRequestId();
  let res: BaseCommand;
  try {
    res = await conn.request(h.command(requestId), requestId, h.what);
  } catch (err) {
    if (handlers.get(h.id) === h.handler) handlers.delete(h.id);
    throw err;
  }
  if (res.error) {
    handlers.delete(h.id);
    throw new BrokerError(res.error.error, res.error.message, h.what);
  }
  if (handlers.get(h.id) !== h.handler) {
    // The broker closed it again (an unload racing the create) before this code ran.
    throw new ConnectionClosedError(`${h.what}: closed by the broker right after creation`);
  }
  if (!h.stillWanted()) {
    handlers.delete(h.id);
    conn.send(h.kind === 'producer'
      ? { type: CommandType.CLOSE_PRODUCER, closeProducer: { producerId: h.id, requestId: conn.newRequestId() } }
      : { type: CommandType.CLOSE_CONSUMER, closeConsumer: { consumerId: h.id, requestId: conn.newRequestId() } });
    return undefined;
  }
  return { conn, res };
}
