// The SDK's HTTP/1.1 server: plain sockets, the request parsed by request-parser.ts and each
// answer written as one buffer. node:http's server (its parser glue, IncomingMessage,
// ServerResponse, a writev per response) was most of the CPU a function spent per event; this one
// does what a function container needs and no more, for any client:
// - keep-alive (HTTP/1.1 by default, 1.0 on request), `Connection: close` honoured;
// - bodies framed by content-length or chunked coding; `Expect: 100-continue` answered;
// - pipelining safe: requests on one connection are answered one at a time, in order;
// - limits (head 16 KiB → 431, body → 413), malformed requests → 400, versions → 505: answered,
//   then the connection closes: a body still arriving is read and dropped meanwhile (for up to 5 s),
//   so a client that sends its whole body before reading gets the answer, not a reset;
// - time-outs: an idle kept-alive connection closes after `keepAliveTimeoutMs`, a request whose
//   head or body stalls is answered 408 after `requestTimeoutMs`.
import net from 'node:net';
import { RequestError, RequestParser, type HttpRequest, type RequestLimits } from './request-parser.js';

export type { HttpRequest };

export interface HttpAnswer {
  status: number;
  /** Names in lower case; content-length, connection and date are the server's. */
  headers: Record<string, string>;
  body: Buffer | string;
}

export type RequestHandler = (request: HttpRequest) => HttpAnswer | Promise<HttpAnswer>;

export interface Http1ServerOptions extends Partial<RequestLimits> {
  keepAliveTimeoutMs?: number;
  requestTimeoutMs?: number;
}

const REASONS: Record<number, string> = {
  100: 'Continue', 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 400: 'Bad Request', 404: 'Not Found',
  405: 'Method Not Allowed', 408: 'Request Timeout', 409: 'Conflict', 413: 'Content Too Large', 417: 'Expectation Failed',
  429: 'Too Many Requests', 431: 'Request Header Fields Too Large', 500: 'Internal Server Error', 501: 'Not Implemented',
  502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout', 505: 'HTTP Version Not Supported',
};
const CONTINUE = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n');

class Connection {
  readonly parser: RequestParser;
  /** A request is being handled: later bytes wait in the parser. */
  busy = false;
  /** After the current answer the connection closes (the client asked, an error, or the server closing). */
  closing = false;
  /** The client half-closed: what it sent is answered, then the connection ends. */
  peerEnded = false;
  lastActive = Date.now();
  requestStarted = 0;

  constructor(readonly socket: net.Socket, limits: RequestLimits) {
    this.parser = new RequestParser(limits);
  }
}

export class Http1Server {
  private readonly server: net.Server;
  private readonly connections = new Set<Connection>();
  private readonly limits: RequestLimits;
  private readonly keepAliveTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private sweeper: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly handler: RequestHandler, opts: Http1ServerOptions = {}) {
    this.limits = { maxHeadBytes: opts.maxHeadBytes ?? 16 * 1024, maxBodyBytes: opts.maxBodyBytes ?? 10 * 1024 * 1024 };
    this.keepAliveTimeoutMs = opts.keepAliveTimeoutMs ?? 65_000;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 300_000;
    this.server = net.createServer({ noDelay: true, allowHalfOpen: true }, (socket) => this.accept(socket));
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        // One timer for every connection's time-outs: no timer reset per read or write.
        const every = Math.max(10, Math.min(1000, this.keepAliveTimeoutMs, this.requestTimeoutMs) / 4);
        this.sweeper = setInterval(() => this.sweep(), every).unref();
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  /** Stops accepting; idle connections close now, busy ones after their answer (which says `Connection: close`). */
  close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    const done = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const conn of this.connections) {
      if (conn.busy) conn.closing = true;
      else conn.socket.destroy();
    }
    return done;
  }

  private accept(socket: net.Socket): void {
    const conn = new Connection(socket, this.limits);
    if (this.closed) return void socket.destroy();
    this.connections.add(conn);
    socket.on('data', (chunk: Buffer) => this.onData(conn, chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.connections.delete(conn));
    // A client that half-closes after its request still gets the answer.
    socket.on('end', () => {
      conn.peerEnded = true;
      if (!conn.busy) socket.end();
    });
  }

  private onData(conn: Connection, chunk: Buffer): void {
    conn.lastActive = Date.now();
    // Answered and closing: what still comes (a refused body) is read and dropped, so the client
    // reads the answer rather than a reset.
    if (conn.closing && !conn.busy) return;
    if (!conn.parser.inRequest && !conn.busy) conn.requestStarted = conn.lastActive;
    conn.parser.push(chunk);
    if (!conn.busy) this.serveNext(conn);
  }

  /** Parses and answers the next request held, if complete. */
  private serveNext(conn: Connection): void {
    let request: HttpRequest | undefined;
    try {
      request = conn.parser.next();
    } catch (err) {
      if (!(err instanceof RequestError)) throw err;
      return this.refuse(conn, err);
    }
    if (!request) {
      if (conn.parser.expectsContinue) {
        conn.parser.expectsContinue = false;
        conn.socket.write(CONTINUE);
      }
      return;
    }
    conn.busy = true;
    if (!request.keepAlive) conn.closing = true;
    let answer: HttpAnswer | Promise<HttpAnswer>;
    try {
      answer = this.handler(request);
    } catch (err) {
      answer = failure(err);
    }
    if (answer instanceof Promise) answer.then((a) => this.send(conn, request, a), (err: unknown) => this.send(conn, request, failure(err)));
    else this.send(conn, request, answer);
  }

  private send(conn: Connection, request: HttpRequest, answer: HttpAnswer): void {
    const { socket } = conn;
    if (socket.destroyed) return;
    if (this.closed) conn.closing = true;
    socket.write(encode(answer, request.minor, conn.closing, request.method === 'HEAD'));
    conn.busy = false;
    conn.lastActive = Date.now();
    if (conn.closing) return closeAfterWrite(socket);
    if (conn.parser.inRequest) {
      conn.requestStarted = conn.lastActive;
      this.serveNext(conn); // the next request, pipelined behind this one
    }
    if (conn.peerEnded && !conn.busy) socket.end();
  }

  /** An answer to a request that cannot be served; the connection closes after it. */
  private refuse(conn: Connection, err: RequestError): void {
    conn.closing = true;
    conn.socket.write(encode({ status: err.status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: `${err.message}\n` }, 1, true, false));
    closeAfterWrite(conn.socket);
  }

  private sweep(): void {
    const now = Date.now();
    for (const conn of this.connections) {
      if (conn.busy) continue;
      if (conn.closing) continue; // closeAfterWrite ends it
      if (conn.parser.inRequest) {
        if (now - conn.requestStarted > this.requestTimeoutMs) this.refuse(conn, new RequestError(408, `no complete request within ${this.requestTimeoutMs} ms`));
      } else if (now - conn.lastActive > this.keepAliveTimeoutMs) {
        conn.socket.destroy();
      }
    }
  }
}

/** Half-closes after what was written; a client that does not close its side is cut after 5 s. */
function closeAfterWrite(socket: net.Socket): void {
  socket.end();
  setTimeout(() => socket.destroy(), 5000).unref();
}

function failure(err: unknown): HttpAnswer {
  return { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: `${(err as Error)?.message ?? String(err)}\n` };
}

let dateSecond = 0;
let dateHeader = '';
/** The Date header, formatted once a second. */
function date(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateHeader = new Date(now).toUTCString();
  }
  return dateHeader;
}

/** The whole answer, head and body, in one buffer: one write, one syscall. */
function encode(answer: HttpAnswer, minor: number, close: boolean, head: boolean): Buffer {
  const { status, headers } = answer;
  const body = typeof answer.body === 'string' ? Buffer.from(answer.body, 'utf8') : answer.body;
  let text = `HTTP/1.1 ${status} ${REASONS[status] ?? 'Unknown'}\r\ndate: ${date()}\r\n`;
  for (const name in headers) {
    if (name === 'content-length' || name === 'connection' || name === 'date') continue;
    text += `${name}: ${headers[name]}\r\n`;
  }
  const bodiless = status === 204 || status === 304 || status < 200;
  if (!bodiless) text += `content-length: ${body.length}\r\n`;
  // An HTTP/1.0 client keeps the connection only when told so.
  text += close ? 'connection: close\r\n\r\n' : minor === 0 ? 'connection: keep-alive\r\n\r\n' : '\r\n';
  const withBody = !bodiless && !head && body.length > 0;
  const headLength = Buffer.byteLength(text, 'latin1');
  const bytes = Buffer.allocUnsafe(headLength + (withBody ? body.length : 0));
  bytes.write(text, 0, 'latin1');
  if (withBody) body.copy(bytes, headLength);
  return bytes;
}
