// An incremental HTTP/1.1 request parser for the SDK's server: request line, headers (names
// lower-cased, repeats joined with ", "), and the body framed by content-length or chunked
// transfer coding (trailers read and dropped). It stops after each request: the server answers
// it before the parser looks at bytes a pipelining client sent behind it. What breaks HTTP/1.1
// (or a limit) throws a RequestError carrying the status to answer before closing.
import { BodyReader } from '../../http1/body-reader.js';

export interface HttpRequest {
  method: string;
  /** The request target as sent, e.g. `/` or `/healthz?x=1`. */
  target: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  minor: number;
  headers: Record<string, string>;
  body: Buffer;
  /** The client keeps the connection for another request (HTTP/1.1 without `Connection: close`, or 1.0 asking keep-alive). */
  keepAlive: boolean;
}

/** The request cannot be served; `status` is the answer (400, 413, 417, 431, 501, 505), and the connection closes after it. */
export class RequestError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export interface RequestLimits {
  /** Request line and headers together, and the trailers, at most (node's default: 16 KiB). */
  maxHeadBytes: number;
  /** Body at most; a longer one is a RequestError with status 413. */
  maxBodyBytes: number;
}

const HEAD_END = Buffer.from('\r\n\r\n');
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const TARGET = /^[\x21-\x7e]+$/;
// Field values: visible characters, spaces, tabs and obs-text; never CR, LF or NUL.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const EMPTY = Buffer.alloc(0);

export class RequestParser {
  private pending: Buffer | undefined;
  private request: HttpRequest | undefined;
  /** The body being read, once the head is. */
  private reader: BodyReader | undefined;
  /** The head of the current request asks `Expect: 100-continue` and its body has not begun. */
  expectsContinue = false;

  constructor(private readonly limits: RequestLimits) {}

  /** Some bytes of a request not yet complete are held (a head, a body being read). */
  get inRequest(): boolean {
    return this.request !== undefined || this.pending !== undefined;
  }

  /** Adds bytes from the connection; they are parsed by next(). */
  push(data: Buffer): void {
    this.pending = this.pending ? Buffer.concat([this.pending, data]) : data;
  }

  /** The next complete request from the bytes pushed, or undefined until more arrive. */
  next(): HttpRequest | undefined {
    const buf = this.pending;
    if (!buf) return undefined;
    this.pending = undefined;
    let pos = 0;
    if (!this.request) {
      while (buf.length - pos >= 2 && buf[pos] === 13 && buf[pos + 1] === 10) pos += 2; // empty lines before a request are ignored
      const end = buf.indexOf(HEAD_END, pos);
      if (end < 0 || end - pos > this.limits.maxHeadBytes) {
        if (buf.length - pos > this.limits.maxHeadBytes) throw new RequestError(431, `request head over ${this.limits.maxHeadBytes} bytes`);
        return this.keep(buf, pos);
      }
      this.request = parseHead(buf.toString('latin1', pos, end));
      pos = end + 4;
      this.reader = this.frame(this.request);
    }
    if (pos < buf.length) this.expectsContinue = false;
    pos = this.reader!.read(buf, pos);
    if (pos < buf.length) this.pending = buf.subarray(pos); // a line not finished, or the next request, pipelined
    if (!this.reader!.done) return undefined;
    const request = this.request;
    request.body = this.reader!.body();
    this.request = undefined;
    this.reader = undefined;
    this.expectsContinue = false;
    return request;
  }

  private keep(buf: Buffer, pos: number): undefined {
    if (pos < buf.length) this.pending = buf.subarray(pos);
    return undefined;
  }

  /** Decides how the body is framed (RFC 9112 §6.3), refusing what could be read two ways. */
  private frame(request: HttpRequest): BodyReader {
    const { headers } = request;
    const te = headers['transfer-encoding'];
    const cl = headers['content-length'];
    let framing: number | 'chunked' = 0; // a request with neither header has no body
    if (te !== undefined) {
      if (cl !== undefined) throw new RequestError(400, 'both transfer-encoding and content-length: the body could be read two ways');
      if (request.minor === 0) throw new RequestError(400, 'transfer-encoding in an HTTP/1.0 request');
      if (te.toLowerCase() !== 'chunked') throw new RequestError(501, `transfer-encoding "${te.slice(0, 40)}" is not supported: send chunked or a content-length`);
      framing = 'chunked';
    } else if (cl !== undefined) {
      const values = cl.split(',').map((v) => v.trim());
      if (!values.every((v) => /^\d{1,15}$/.test(v) && v === values[0])) throw new RequestError(400, `invalid content-length "${cl.slice(0, 40)}"`);
      framing = Number(values[0]);
      if (framing > this.limits.maxBodyBytes) throw new RequestError(413, `request body of ${framing} bytes, over ${this.limits.maxBodyBytes}`);
    }
    const expect = headers.expect;
    if (expect !== undefined) {
      if (expect.toLowerCase() !== '100-continue') throw new RequestError(417, `expectation "${expect.slice(0, 40)}" is not supported`);
      this.expectsContinue = request.minor === 1 && framing !== 0;
    }
    return new BodyReader(framing, {
      maxBytes: this.limits.maxBodyBytes, maxTrailerBytes: this.limits.maxHeadBytes, copy: false, error: (status, message) => new RequestError(status, `request ${message}`),
    });
  }
}

function parseHead(text: string): HttpRequest {
  let at = text.indexOf('\r\n');
  const line = at < 0 ? text : text.slice(0, at);
  const first = line.indexOf(' ');
  const second = line.indexOf(' ', first + 1);
  if (first <= 0 || second < 0 || line.indexOf(' ', second + 1) >= 0) throw new RequestError(400, `invalid request line "${line.slice(0, 60)}"`);
  const method = line.slice(0, first);
  const target = line.slice(first + 1, second);
  const version = line.slice(second + 1);
  if (!TOKEN.test(method) || !TARGET.test(target)) throw new RequestError(400, `invalid request line "${line.slice(0, 60)}"`);
  if (version !== 'HTTP/1.1' && version !== 'HTTP/1.0') {
    if (/^HTTP\/\d\.\d$/.test(version)) throw new RequestError(505, `${version} is not supported: use HTTP/1.1`);
    throw new RequestError(400, `invalid request line "${line.slice(0, 60)}"`);
  }
  const minor = version === 'HTTP/1.1' ? 1 : 0;
  const headers = Object.create(null) as Record<string, string>;
  while (at >= 0) {
    const start = at + 2;
    at = text.indexOf('\r\n', start);
    const field = at < 0 ? text.slice(start) : text.slice(start, at);
    const colon = field.indexOf(':');
    const name = colon > 0 ? field.slice(0, colon) : '';
    // A name must be a token right up to the colon: "Host :" and folded lines (obs-fold) are refused (RFC 9112 §5).
    if (!TOKEN.test(name)) throw new RequestError(400, `invalid header line "${field.slice(0, 60)}"`);
    const value = field.slice(colon + 1).trim();
    if (!FIELD_VALUE.test(value)) throw new RequestError(400, `invalid characters in header ${name}`);
    const key = name.toLowerCase();
    const prev = headers[key];
    headers[key] = prev === undefined ? value : `${prev}, ${value}`;
  }
  if (minor === 1 && headers.host === undefined) throw new RequestError(400, 'an HTTP/1.1 request without a host header');
  const connection = headers.connection?.toLowerCase();
  const keepAlive = minor === 1 ? !connection?.includes('close') : !!connection?.includes('keep-alive');
  return { method, target, minor, headers, body: EMPTY, keepAlive };
}
