// The fallback transport of push activation (`--activation-transport websocket`): watches one
// idle topic with a WebSocket reader at `latest` (or `earliest`): non-durable (no subscription is
// left behind), one message in flight at a time (receiverQueueSize=1), so an idle topic costs one
// quiet connection of its own. Needs the broker's WebSocket service (off by default outside
// standalone). Reconnects with backoff; pings keep the session alive.
import WebSocket from 'ws';
import { backoffDelay } from '../adapters/pulsar/backoff.js';
import { isCertificateError } from '../adapters/pulsar/http-transport.js';
import { topicPath, type TopicName } from '../adapters/pulsar/topic-name.js';
import type { Logger } from '../process/logger.js';
import type { WatchStart } from './activation-watcher.js';

export interface TopicWatchOptions {
  /** Base of the WebSocket API (http(s):// or ws(s)://, e.g. the broker's web service URL). */
  baseUrl: string;
  topic: TopicName;
  from: WatchStart;
  token?: () => string | undefined;
  /** PEM bundle to trust for wss:// (a private CA). */
  ca?: string;
  /** Called when the reader is connected (messages published from now on will be seen). */
  onOpen: () => void;
  /** Called for every message published while watched. */
  onMessage: () => void;
  log: Logger;
  pingMs?: number;
}

export class WebSocketTopicWatch {
  connected = false;
  private ws?: WebSocket;
  private closed = false;
  private attempt = 0;
  private retryTimer?: NodeJS.Timeout;
  private pingTimer?: NodeJS.Timeout;

  constructor(private readonly opts: TopicWatchOptions) {
    this.connect();
  }

  close(): void {
    this.closed = true;
    this.connected = false;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    this.ws?.removeAllListeners();
    this.ws?.on('error', () => undefined);
    this.ws?.terminate();
  }

  private connect(): void {
    const base = this.opts.baseUrl.replace(/^http/, 'ws').replace(/\/+$/, '');
    const url = `${base}/ws/v2/reader/${topicPath(this.opts.topic)}?messageId=${this.opts.from}&receiverQueueSize=1`;
    const token = this.opts.token?.();
    const ws = new WebSocket(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, handshakeTimeout: 10_000, ...(this.opts.ca ? { ca: this.opts.ca } : {}) });
    this.ws = ws;
    ws.on('open', () => {
      this.attempt = 0;
      this.connected = true;
      this.pingTimer = setInterval(() => ws.ping(), this.opts.pingMs ?? 30_000);
      this.opts.onOpen();
    });
    ws.on('message', (data) => {
      // Acknowledge at once so the next message flows too (a reader's ack only paces delivery).
      try {
        const { messageId } = JSON.parse(String(data)) as { messageId?: string };
        if (messageId) ws.send(JSON.stringify({ messageId }));
      } catch {
        // not a message frame
      }
      this.opts.onMessage();
    });
    ws.on('unexpected-response', (_req, res) => {
      this.opts.log.warn({ status: res.statusCode, topic: this.opts.topic.local }, 'topic watch refused by Pulsar');
      res.resume();
      ws.terminate();
    });
    // A refused certificate is a configuration error worth seeing; network errors are retried quietly.
    ws.on('error', (err: NodeJS.ErrnoException) => {
      this.opts.log[isCertificateError(err.code) ? 'warn' : 'debug']({ err: err.message, topic: this.opts.topic.local }, 'topic watch error');
    });
    ws.on('close', () => {
      this.connected = false;
      clearInterval(this.pingTimer);
      if (this.closed) return;
      const delay = backoffDelay(++this.attempt, { initialMs: 500, maxMs: 30_000 });
      this.retryTimer = setTimeout(() => this.connect(), delay);
    });
  }
}
