// One long-lived WebSocket to Pulsar's WebSocket API that heals itself: reconnects with jittered
// backoff, pings so that neither the broker's 5-minute idle time-out nor a dead peer goes
// unnoticed, re-reads a token file on every connect (rotated Secrets), and bounds the handshake.
// Each connection gets a new `session` number: message ids and receipts belong to one session.
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import type { Logger } from '../../process/logger.js';
import { backoffDelay, type BackoffPolicy } from './backoff.js';
import { readBearerToken } from './bearer-token.js';

export interface PulsarWsOptions {
  /** Web service base URL: ws://, wss://, http:// or https:// (http is mapped to ws). */
  url: string;
  authToken?: string;
  /** Read on each connect, so a rotated Secret is picked up without a restart. */
  authTokenFile?: string;
  tls?: { caFile?: string; certFile?: string; keyFile?: string; allowInsecure?: boolean };
  connectTimeoutMs?: number;
  /** Ping period; a connection that misses a whole period's pong is dropped. Default 30 s. */
  pingIntervalMs?: number;
  reconnectBackoff?: BackoffPolicy;
  log?: Logger;
}

export interface SessionHandlers {
  onOpen?(session: number): void;
  onText(text: string, session: number): void;
  /** The connection of `session` is gone; a new one is on its way unless closed. */
  onDrop?(session: number, reason: string): void;
}

export class PulsarWsSession {
  private ws: WebSocket | undefined;
  private sessionNo = 0;
  private failures = 0;
  private closed = false;
  private corked = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private waiters: Array<() => void> = [];
  lastError: string | undefined;

  constructor(
    private readonly path: string,
    private readonly opts: PulsarWsOptions,
    private readonly handlers: SessionHandlers,
  ) {}

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  get session(): number {
    return this.sessionNo;
  }

  /** Where this session connects, without credentials: for logs and errors. */
  get endpoint(): string {
    return baseUrl(this.opts.url) + this.path.split('?')[0];
  }

  start(): void {
    this.connect();
  }

  /** Sends on the current connection; false when there is none (the caller decides what then). */
  send(text: string): boolean {
    if (!this.connected) return false;
    this.corkUntilIdle();
    this.ws!.send(text);
    return true;
  }

  /**
   * Frames sent during one turn of the event loop (a burst of acks, of replies) leave in one
   * write: on loopback and under load the per-write cost of the network stack, not JSON or
   * WebSocket framing, bounded the bridge's throughput.
   */
  private corkUntilIdle(): void {
    if (this.corked) return;
    const socket = (this.ws as unknown as { _socket?: import('node:net').Socket })._socket;
    if (!socket) return;
    this.corked = true;
    socket.cork();
    setImmediate(() => {
      this.corked = false;
      socket.uncork();
    });
  }

  /** Resolves once connected; rejects after `timeoutMs` or when closed. */
  waitConnected(timeoutMs: number): Promise<void> {
    if (this.connected) return Promise.resolve();
    if (this.closed) return Promise.reject(new Error(`${this.endpoint}: closed`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        reject(new Error(`${this.endpoint}: not connected within ${timeoutMs} ms${this.lastError ? ` (last error: ${this.lastError})` : ''}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        if (this.connected) resolve();
        else reject(new Error(`${this.endpoint}: closed`));
      };
      this.waiters.push(done);
    });
  }

  close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    this.wake();
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const force = setTimeout(() => ws.terminate(), 2_000);
      ws.once('close', () => {
        clearTimeout(force);
        resolve();
      });
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000, 'closing');
    });
  }

  private connect(): void {
    if (this.closed) return;
    const session = ++this.sessionNo;
    let ws: WebSocket;
    try {
      ws = new WebSocket(baseUrl(this.opts.url) + this.path, this.clientOptions());
    } catch (err) {
      this.scheduleReconnect(session, (err as Error).message);
      return;
    }
    this.ws = ws;
    let alive = true;
    ws.on('open', () => {
      this.failures = 0;
      this.lastError = undefined;
      this.opts.log?.info({ endpoint: this.endpoint, session }, 'connected to Pulsar');
      this.pingTimer = setInterval(() => {
        if (!alive) return void ws.terminate();
        alive = false;
        ws.ping();
      }, this.opts.pingIntervalMs ?? 30_000);
      this.handlers.onOpen?.(session);
      this.wake();
    });
    ws.on('pong', () => void (alive = true));
    ws.on('message', (data: WebSocket.RawData) => {
      alive = true;
      this.handlers.onText(data.toString(), session);
    });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => void (body += chunk.toString()));
      res.on('end', () => {
        this.lastError = `HTTP ${res.statusCode}${body ? `: ${body.trim().slice(0, 300)}` : ''}`;
        ws.terminate();
      });
    });
    ws.on('error', (err) => void (this.lastError ??= err.message));
    ws.on('close', (code, reason) => {
      clearInterval(this.pingTimer);
      const why = this.lastError ?? `closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`;
      this.handlers.onDrop?.(session, why);
      this.scheduleReconnect(session, why);
    });
  }

  private scheduleReconnect(session: number, reason: string): void {
    if (this.closed || session !== this.sessionNo) return;
    this.failures++;
    const delay = backoffDelay(this.failures, this.opts.reconnectBackoff ?? { initialMs: 100, maxMs: 10_000 });
    this.opts.log?.warn({ endpoint: this.endpoint, session, reason, retryInMs: delay }, 'Pulsar connection lost');
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private clientOptions(): WebSocket.ClientOptions {
    const headers: Record<string, string> = {};
    const token = readBearerToken(this.opts);
    if (token) headers.authorization = `Bearer ${token}`;
    const tls = this.opts.tls ?? {};
    return {
      headers,
      handshakeTimeout: this.opts.connectTimeoutMs ?? 10_000,
      perMessageDeflate: false,
      maxPayload: 16 * 1024 * 1024,
      ...(tls.caFile && { ca: readFileSync(tls.caFile) }),
      ...(tls.certFile && { cert: readFileSync(tls.certFile) }),
      ...(tls.keyFile && { key: readFileSync(tls.keyFile) }),
      ...(tls.allowInsecure && { rejectUnauthorized: false }),
    };
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

function baseUrl(url: string): string {
  return url.replace(/^http(s?):\/\//, 'ws$1://').replace(/\/+$/, '');
}
