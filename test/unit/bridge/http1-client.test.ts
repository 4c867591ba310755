// The bridge's own HTTP/1.1 client (adapters/bridge/http1/): the response parser on bytes split
// at every position, and the pool against real local servers (node:http, and raw sockets for
// what node:http would not send): chunked replies, Connection: close, 1xx, keep-alive reuse,
// a server dying mid-reply, and the queue beyond maxSockets.
import { afterEach, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { ConnectionPool, type HttpResponse } from '../../../adapters/bridge/http1/connection-pool.js';
import { ResponseParser } from '../../../adapters/bridge/http1/response-parser.js';

/** Feeds `text` in pieces cut at `cuts`; returns the response and the piece it completed on. */
function parse(text: string, cuts: number[] = [], borrowed = false): { response: HttpResponse | undefined; at: number } {
  const parser = new ResponseParser(borrowed);
  const bytes = Buffer.from(text, 'latin1');
  const bounds = [0, ...cuts, bytes.length];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const piece = bytes.subarray(bounds[i], bounds[i + 1]);
    const response = parser.feed(piece);
    if (borrowed) piece.fill(0); // a borrowed buffer is reused for the next read
    if (response) return { response, at: i };
  }
  return { response: parser.finish(), at: -1 };
}

/** Every way of cutting the text in two and in three pieces gives the same response. */
function parseEverySplit(text: string): HttpResponse {
  const whole = parse(text).response!;
  for (let a = 1; a < text.length; a++) {
    expect(parse(text, [a]).response).toEqual(whole);
    expect(parse(text, [a], true).response).toEqual(whole);
    for (let b = a + 1; b < text.length; b += 7) expect(parse(text, [a, b]).response).toEqual(whole);
  }
  return whole;
}

describe('ResponseParser', () => {
  it('reads a content-length reply, however the bytes are split', () => {
    const r = parseEverySplit('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nX-A: 1\r\nx-a: 2\r\n\r\nhello');
    expect(r.status).toBe(200);
    expect({ ...r.headers }).toEqual({ 'content-type': 'text/plain', 'content-length': '5', 'x-a': '1, 2' });
    expect(r.body.toString()).toBe('hello');
    expect(r.keepAlive).toBe(true);
  });

  it('reads a chunked reply with extensions and trailers, however the bytes are split', () => {
    const r = parseEverySplit('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n');
    expect(r.body.toString()).toBe('hello, world');
    expect(r.keepAlive).toBe(true);
  });

  it('skips 1xx interim responses', () => {
    const r = parseEverySplit('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok');
    expect(r.status).toBe(201);
    expect(r.headers.link).toBeUndefined();
    expect(r.body.toString()).toBe('ok');
  });

  it('has no body on 204 and 304, and an empty one at content-length 0', () => {
    expect(parse('HTTP/1.1 204 No Content\r\n\r\n').response).toMatchObject({ status: 204, body: Buffer.alloc(0), keepAlive: true });
    expect(parse('HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n').response).toMatchObject({ status: 304, body: Buffer.alloc(0) });
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n').response).toMatchObject({ status: 200, body: Buffer.alloc(0) });
  });

  it('reads a body without length until the connection closes, and then does not keep the connection', () => {
    const parser = new ResponseParser();
    expect(parser.feed(Buffer.from('HTTP/1.1 200 OK\r\n\r\nabc'))).toBeUndefined();
    expect(parser.feed(Buffer.from('def'))).toBeUndefined();
    expect(parser.finish()).toMatchObject({ status: 200, body: Buffer.from('abcdef'), keepAlive: false });
  });

  it('knows a reply cut off before its end', () => {
    const parser = new ResponseParser();
    expect(parser.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'))).toBeUndefined();
    expect(parser.finish()).toBeUndefined();
    expect(parser.started).toBe(true);
  });

  it('does not keep a connection the server closes, or an HTTP/1.0 one without keep-alive', () => {
    expect(parse('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n').response!.keepAlive).toBe(false);
    expect(parse('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n').response!.keepAlive).toBe(false);
    expect(parse('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n').response!.keepAlive).toBe(true);
    // Bytes after the response were not asked for: the connection is not trusted again.
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nab').response!.keepAlive).toBe(false);
  });

  it('refuses what is not HTTP/1.1, naming the problem', () => {
    const bad = (text: string) => () => new ResponseParser().feed(Buffer.from(text));
    expect(bad('SSH-2.0-OpenSSH\r\n\r\n')).toThrow('not an HTTP/1.x response');
    expect(bad('HTTP/1.1 2x0 OK\r\n\r\n')).toThrow('invalid status line');
    expect(bad('HTTP/1.1 200 OK\r\nno colon\r\n\r\n')).toThrow('invalid header line');
    expect(bad('HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n')).toThrow('invalid content-length');
    expect(bad('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')).toThrow('invalid chunk size');
    expect(bad('HTTP/1.1 101 Switching Protocols\r\n\r\n')).toThrow('switched protocols');
    expect(bad(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(70_000)}`)).toThrow('over 65536 bytes');
  });
});

const servers: net.Server[] = [];
const accepted = new Set<net.Socket>();
const pools: ConnectionPool[] = [];
afterEach(async () => {
  for (const p of pools.splice(0)) p.close();
  for (const s of accepted) s.destroy();
  accepted.clear();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

async function listen(server: net.Server): Promise<ConnectionPool> {
  servers.push(server);
  server.on('connection', (socket: net.Socket) => accepted.add(socket));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const pool = new ConnectionPool({ protocol: 'http:', host: '127.0.0.1', port: (server.address() as AddressInfo).port }, 2);
  pools.push(pool);
  return pool;
}

function post(pool: ConnectionPool, body = 'x'): Promise<HttpResponse> {
  const bytes = Buffer.from(`POST / HTTP/1.1\r\nhost: test\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
  return new Promise((resolve, reject) => pool.request(bytes, (err, res) => (err ? reject(err) : resolve(res!))));
}

describe('ConnectionPool', () => {
  it('reuses kept-alive connections, at most maxSockets, and queues the rest in order', async () => {
    const sockets = new Set<net.Socket>();
    let open = 0;
    let most = 0;
    const pool = await listen(http.createServer((req, res) => {
      sockets.add(req.socket);
      most = Math.max(most, ++open);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => setTimeout(() => {
        open--;
        res.end(`${Buffer.concat(chunks).toString()}!`);
      }, 5));
    }));
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => post(pool, `m${i}`)));
    expect(replies.map((r) => r.body.toString())).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}!`));
    expect(sockets.size).toBe(2);
    expect(most).toBe(2);
    expect(pool.size).toBe(2);
  });

  it('reads chunked replies from node:http (written in pieces)', async () => {
    const pool = await listen(http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('one,');
      setTimeout(() => res.end('two'), 10);
    }));
    const r = await post(pool);
    expect(r.headers['transfer-encoding']).toBe('chunked');
    expect(r.body.toString()).toBe('one,two');
    expect((await post(pool)).body.toString()).toBe('one,two'); // the connection is reused after a chunked reply
  });

  it('opens a new connection after a reply with Connection: close, and reads a body that ends with the connection', async () => {
    const sockets = new Set<net.Socket>();
    const pool = await listen(net.createServer((socket) => {
      sockets.add(socket);
      socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end'));
    }));
    expect((await post(pool)).body.toString()).toBe('until the end');
    expect((await post(pool)).body.toString()).toBe('until the end');
    expect(sockets.size).toBe(2);
  });

  it('skips a 100 Continue before the answer', async () => {
    const pool = await listen(net.createServer((socket) => {
      socket.on('data', () => {
        socket.write('HTTP/1.1 100 Continue\r\n\r\n');
        setTimeout(() => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nyes'), 5);
      });
    }));
    expect(await post(pool)).toMatchObject({ status: 200, body: Buffer.from('yes') });
  });

  it('fails a request whose reply is cut off, and one whose connection closes before any reply', async () => {
    let calls = 0;
    const pool = await listen(net.createServer((socket) => {
      socket.once('data', () => {
        if (++calls === 1) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial', () => socket.destroy());
        else socket.destroy();
      });
    }));
    await expect(post(pool)).rejects.toThrow('the response was cut off');
    await expect(post(pool)).rejects.toThrow(/closed before a response|ECONNRESET/);
    expect(pool.size).toBe(0);
  });

  it('fails on a server that is not there, and on one that does not speak HTTP', async () => {
    const gone = await listen(net.createServer());
    const port = (servers[0]!.address() as AddressInfo).port;
    await new Promise((r) => servers.shift()!.close(r));
    const refused = new ConnectionPool({ protocol: 'http:', host: '127.0.0.1', port }, 1);
    pools.push(refused, gone);
    await expect(post(refused)).rejects.toThrow('ECONNREFUSED');
    const ssh = await listen(net.createServer((socket) => socket.write('SSH-2.0-OpenSSH_9.6\r\n\r\n')));
    await expect(post(ssh)).rejects.toThrow('invalid HTTP response: not an HTTP/1.x response');
  });

  it('cancel() closes the connection of a request without calling it back; a queued one never goes out', async () => {
    let seen = 0;
    const pool = await listen(http.createServer(() => void seen++));
    const calls: string[] = [];
    const reqs = [0, 1, 2].map((i) => pool.request(Buffer.from('POST / HTTP/1.1\r\nhost: t\r\ncontent-length: 0\r\n\r\n'), () => calls.push(`r${i}`)));
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toBe(2); // the third waits for a connection
    pool.cancel(reqs[2]!);
    pool.cancel(reqs[0]!);
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toEqual([]);
    expect(seen).toBe(2);
    expect(pool.size).toBe(1);
  });

  it('cutAll() fails what is in flight and what waits', async () => {
    const pool = await listen(http.createServer(() => undefined));
    const pending = [post(pool), post(pool), post(pool)].map((p) => p.catch((err: Error) => err.message));
    await new Promise((r) => setTimeout(r, 50));
    pool.cutAll(new Error('aborted'));
    expect(await Promise.all(pending)).toEqual(['aborted', 'aborted', 'aborted']);
  });
});
