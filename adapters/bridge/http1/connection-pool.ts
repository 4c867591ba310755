// Kept-alive HTTP/1.1 connections to one origin, one request at a time on each, at most
// `maxSockets` of them; requests beyond that wait in order for a free connection. It carries the
// bridge's POSTs to the function with far less machinery per request than node:http's
// ClientRequest/Agent/IncomingMessage (a third of the bridge's CPU per message went there):
// the caller hands over the request's bytes, the pool writes them on a free socket and parses
// the answer (response-parser.ts). No pipelining: a slow reply holds only its own connection.
import net from 'node:net';
import tls from 'node:tls';
import { Fifo } from '../../pulsar/binary/fifo.js';
import { HttpParseError, ResponseParser, type HttpResponse } from './response-parser.js';

export type { HttpResponse };

/** How a request ended: the response, or why there is none (the message says what happened). */
export type RequestCallback = (err: Error | undefined, response?: HttpResponse) => void;

export interface Origin {
  protocol: 'http:' | 'https:';
  host: string;
  port: number;
  /** TLS server name (not for IP addresses). */
  servername?: string;
}

/** A request handed to the pool; cancel() ends it (its connection is closed) without calling back. */
export class PooledRequest {
  connection: Connection | undefined;
  queued = true;
  constructor(
    readonly bytes: Buffer,
    readonly callback: RequestCallback,
  ) {}
}

class Connection {
  parser: ResponseParser;
  request: PooledRequest | undefined;
  socket!: net.Socket;
  constructor(readonly borrowed: boolean) {
    this.parser = new ResponseParser(borrowed);
  }
}

/**
 * Plain sockets read into this one buffer (net's `onread`), skipping the stream machinery of
 * 'data' events; the parser copies what it keeps. One buffer serves every socket: each read is
 * handled before the next.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

export class ConnectionPool {
  private readonly idle: Connection[] = [];
  private readonly busy = new Set<Connection>();
  private readonly waiting = new Fifo<PooledRequest>();
  private open = 0;
  private closed = false;

  constructor(
    private readonly origin: Origin,
    private readonly maxSockets: number,
  ) {}

  /** Open connections (idle and busy). */
  get size(): number {
    return this.open;
  }

  request(bytes: Buffer, callback: RequestCallback): PooledRequest {
    const req = new PooledRequest(bytes, callback);
    if (this.closed) {
      queueMicrotask(() => callback(new Error('the HTTP client is closed')));
      return req;
    }
    const conn = this.idle.pop();
    if (conn) this.assign(conn, req);
    else if (this.open < this.maxSockets) this.assign(this.connect(), req);
    else this.waiting.push(req);
    return req;
  }

  /** Ends a request without a callback: a queued one leaves the queue, a sent one closes its connection. */
  cancel(req: PooledRequest): void {
    if (req.queued) {
      req.queued = false; // skipped when its turn comes
      return;
    }
    const conn = req.connection;
    if (conn?.request === req) {
      conn.request = undefined;
      conn.socket.destroy();
    }
  }

  /** Fails every request in flight or waiting with `err` and closes their connections. */
  cutAll(err: Error): void {
    for (const req of this.waiting.drain()) {
      if (!req.queued) continue; // cancelled
      req.queued = false;
      req.callback(err);
    }
    for (const conn of [...this.busy]) this.fail(conn, err);
  }

  close(): void {
    this.closed = true;
    this.cutAll(new Error('the HTTP client is closed'));
    for (const conn of this.idle.splice(0)) conn.socket.destroy();
  }

  private connect(): Connection {
    const { origin } = this;
    const conn = new Connection(origin.protocol === 'http:');
    const socket = origin.protocol === 'https:'
      ? tls.connect({ host: origin.host, port: origin.port, ...(origin.servername && { servername: origin.servername }) })
      : net.connect({ host: origin.host, port: origin.port, onread: { buffer: READ_BUFFER, callback: (n) => this.onData(conn, READ_BUFFER.subarray(0, n)) } });
    conn.socket = socket;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 1000);
    this.open++;
    if (!conn.borrowed) socket.on('data', (chunk: Buffer) => this.onData(conn, chunk));
    // An error is followed by 'close': the request fails there, with the error's message.
    let error: Error | undefined;
    socket.on('error', (err) => (error = err));
    socket.on('close', () => this.onClose(conn, error));
    return conn;
  }

  private assign(conn: Connection, req: PooledRequest): void {
    req.queued = false;
    req.connection = conn;
    conn.request = req;
    this.busy.add(conn);
    conn.socket.write(req.bytes);
  }

  /** Returns true: with `onread`, false would pause the socket. */
  private onData(conn: Connection, chunk: Buffer): boolean {
    const req = conn.request;
    if (!req) {
      // Bytes nobody asked for on an idle connection: the server is confused; do not reuse it.
      conn.socket.destroy();
      return true;
    }
    let response: HttpResponse | undefined;
    try {
      response = conn.parser.feed(chunk);
    } catch (err) {
      this.fail(conn, err instanceof HttpParseError ? new Error(`invalid HTTP response: ${err.message}`) : (err as Error));
      return true;
    }
    if (!response) return true;
    conn.request = undefined;
    this.busy.delete(conn);
    if (response.keepAlive && !this.closed) this.release(conn);
    else conn.socket.destroy();
    req.callback(undefined, response);
    return true;
  }

  /** A connection free again: the next waiting request, or the idle list. */
  private release(conn: Connection): void {
    conn.parser = new ResponseParser(conn.borrowed);
    const next = this.nextWaiting();
    if (next) this.assign(conn, next);
    else this.idle.push(conn);
  }

  private nextWaiting(): PooledRequest | undefined {
    for (let req = this.waiting.shift(); req; req = this.waiting.shift()) if (req.queued) return req;
    return undefined;
  }

  private onClose(conn: Connection, error: Error | undefined): void {
    this.open--;
    const req = conn.request;
    if (req) {
      const response = conn.parser.finish();
      conn.request = undefined;
      this.busy.delete(conn);
      if (response) req.callback(undefined, response);
      else if (conn.parser.started) req.callback(new Error(`the response was cut off${error ? ` (${error.message})` : ''}`));
      else req.callback(error ?? new Error('the connection closed before a response (socket hang up)'));
    } else {
      const at = this.idle.indexOf(conn);
      if (at >= 0) this.idle.splice(at, 1);
    }
    // Room for a waiting request on a new connection.
    if (!this.closed && this.open < this.maxSockets) {
      const next = this.nextWaiting();
      if (next) this.assign(this.connect(), next);
    }
  }

  private fail(conn: Connection, err: Error): void {
    const req = conn.request;
    conn.request = undefined;
    this.busy.delete(conn);
    conn.socket.destroy();
    req?.callback(err);
  }
}
