// An incremental HTTP/1.1 response parser for the bridge's client to the function: status line,
// headers, and the body framed by content-length, chunked transfer coding, or the connection's
// close. 1xx interim responses are skipped. Only what a reply needs is kept: the status, the
// headers (names lower-cased, repeats joined with ", ") and the whole body.

import { BodyReader } from '../../http1/body-reader.js';

const EMPTY = Buffer.alloc(0);

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** The connection may carry another request (HTTP/1.1 without `Connection: close`, nothing extra sent). */
  keepAlive: boolean;
}

/** The peer broke HTTP/1.1: the connection cannot be trusted for another request. */
export class HttpParseError extends Error {}

const enum State { Head, Body, UntilClose }

const MAX_HEAD_BYTES = 64 * 1024;
const HEAD_END = Buffer.from('\r\n\r\n');

export class ResponseParser {
  private state = State.Head;
  private pending: Buffer | undefined; // bytes of an unfinished head or chunk line
  private status = 0;
  private headers: Record<string, string> = Object.create(null) as Record<string, string>;
  private keepAlive = true;
  private reader: BodyReader | undefined;
  /** Any byte of the response has arrived. */
  started = false;

  /** `borrowed`: the bytes fed are reused by the caller afterwards, so whatever is kept is copied. */
  constructor(private readonly borrowed = false) {}

  /** Feeds bytes from the connection; returns the response once it is complete. */
  feed(data: Buffer): HttpResponse | undefined {
    this.started = true;
    let buf = data;
    if (this.pending) {
      buf = Buffer.concat([this.pending, data]);
      this.pending = undefined;
    }
    let pos = 0;
    for (;;) {
      switch (this.state) {
        case State.Head: {
          const end = buf.indexOf(HEAD_END, pos);
          if (end < 0) {
            if (buf.length - pos > MAX_HEAD_BYTES) throw new HttpParseError(`response head over ${MAX_HEAD_BYTES} bytes`);
            return this.keep(buf, pos);
          }
          this.parseHead(buf.toString('latin1', pos, end));
          pos = end + 4;
          if (this.status < 200) {
            // 100 Continue, 102, 103 Early Hints: interim, the real answer follows.
            if (this.status === 101) throw new HttpParseError('the server switched protocols (101) on a plain request');
            this.headers = Object.create(null) as Record<string, string>;
            break;
          }
          if (this.frame()) return this.complete(buf, pos);
          break;
        }
        case State.Body:
        case State.UntilClose:
          pos = this.reader!.read(buf, pos);
          if (this.reader!.done) return this.complete(buf, pos);
          return this.keep(buf, pos);
      }
    }
  }

  /** The peer closed the connection: the response if its body runs until the close, else undefined (cut off). */
  finish(): HttpResponse | undefined {
    if (this.state !== State.UntilClose) return undefined;
    return { status: this.status, headers: this.headers, body: this.reader!.body(), keepAlive: false };
  }

  private keep(buf: Buffer, pos: number): undefined {
    if (pos < buf.length) this.pending = this.borrowed ? Buffer.from(buf.subarray(pos)) : buf.subarray(pos);
    return undefined;
  }

  private complete(buf: Buffer, pos: number): HttpResponse {
    // Bytes after the response were never asked for (the client does not pipeline).
    return { status: this.status, headers: this.headers, body: this.reader?.body() ?? EMPTY, keepAlive: this.keepAlive && pos === buf.length };
  }

  private parseHead(text: string): void {
    // Status line: HTTP/1.x SP 3DIGIT [SP reason]
    if (!text.startsWith('HTTP/1.') || text.charCodeAt(8) !== 32) throw new HttpParseError(`not an HTTP/1.x response: "${text.slice(0, 40)}"`);
    const minor = text.charCodeAt(7) - 48;
    const code = text.slice(9, 12);
    if (!/^[1-9]\d\d$/.test(code) || !(text.length === 12 || text.charCodeAt(12) === 32 || text.charCodeAt(12) === 13)) {
      throw new HttpParseError(`invalid status line "${text.slice(0, 40)}"`);
    }
    const status = Number(code);
    this.status = status;
    const headers = this.headers;
    let at = text.indexOf('\r\n');
    while (at >= 0) {
      const start = at + 2;
      at = text.indexOf('\r\n', start);
      const line = at < 0 ? text.slice(start) : text.slice(start, at);
      const colon = line.indexOf(':');
      if (colon <= 0) throw new HttpParseError(`invalid header line "${line.slice(0, 40)}"`);
      const name = line.slice(0, colon).toLowerCase();
      const value = line.slice(colon + 1).trim();
      const prev = headers[name];
      headers[name] = prev === undefined ? value : `${prev}, ${value}`;
    }
    const connection = headers.connection?.toLowerCase();
    this.keepAlive = minor >= 1 ? !connection?.includes('close') : !!connection?.includes('keep-alive');
  }

  /** Decides how the body is framed; true when there is none. */
  private frame(): boolean {
    const { status, headers } = this;
    if (status === 204 || status === 304) return true;
    const te = headers['transfer-encoding'];
    if (te !== undefined) {
      if (te.toLowerCase().trimEnd().endsWith('chunked')) return this.body('chunked', State.Body);
      this.keepAlive = false;
      return this.body(Infinity, State.UntilClose);
    }
    const cl = headers['content-length'];
    if (cl !== undefined) {
      const values = cl.split(',').map((v) => v.trim());
      if (!values.every((v) => /^\d{1,15}$/.test(v) && v === values[0])) throw new HttpParseError(`invalid content-length "${cl.slice(0, 40)}"`);
      const length = Number(values[0]);
      return length ? this.body(length, State.Body) : true;
    }
    this.keepAlive = false;
    return this.body(Infinity, State.UntilClose);
  }

  private body(framing: number | 'chunked', state: State): false {
    this.reader = new BodyReader(framing, { maxBytes: Infinity, maxTrailerBytes: MAX_HEAD_BYTES, copy: this.borrowed, error: (_status, message) => new HttpParseError(message) });
    this.state = state;
    return false;
  }
}
