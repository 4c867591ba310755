// The SDK's own HTTP/1.1 server (adapters/sdk/http1/): its request parser on bytes split at
// every position, and the server over raw sockets for what a well-behaved client would not send:
// pipelined requests, chunked bodies, Expect: 100-continue, HTTP/1.0, Connection: close, the
// limits and malformed requests (answered, then closed), time-outs and a graceful close.
import { afterEach, describe, expect, it } from '@jest/globals';
import net from 'node:net';
import { RequestError, RequestParser, type HttpRequest } from '../../../adapters/sdk/http1/request-parser.js';
import { Http1Server, type RequestHandler } from '../../../adapters/sdk/http1/server.js';

const limits = { maxHeadBytes: 1024, maxBodyBytes: 64 };

/** Every request the parser reads from `text` cut at `cuts`. */
function parseAll(text: string, cuts: number[] = []): HttpRequest[] {
  const parser = new RequestParser(limits);
  const bytes = Buffer.from(text, 'latin1');
  const bounds = [0, ...cuts, bytes.length];
  const out: HttpRequest[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    parser.push(Buffer.from(bytes.subarray(bounds[i], bounds[i + 1])));
    for (let r = parser.next(); r; r = parser.next()) out.push(r);
  }
  return out;
}

function parseEverySplit(text: string): HttpRequest[] {
  const whole = parseAll(text);
  for (let a = 1; a < text.length; a++) {
    expect(parseAll(text, [a])).toEqual(whole);
    for (let b = a + 1; b < text.length; b += 13) expect(parseAll(text, [a, b])).toEqual(whole);
  }
  return whole;
}

function refusal(text: string): number {
  try {
    parseAll(text);
  } catch (err) {
    if (err instanceof RequestError) return err.status;
    throw err;
  }
  return 0;
}

describe('RequestParser', () => {
  it('reads requests with content-length and chunked bodies, pipelined, however the bytes are split', () => {
    const rs = parseEverySplit(
      'POST /?a=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nX-A: 1\r\nx-a: 2\r\n\r\nhello'
      + 'POST / HTTP/1.1\r\nhost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n'
      + 'GET /healthz HTTP/1.1\r\nhost: h\r\nconnection: close\r\n\r\n',
    );
    expect(rs.map((r) => [r.method, r.target, r.body.toString(), r.keepAlive])).toEqual([
      ['POST', '/?a=1', 'hello', true], ['POST', '/', 'hello, world', true], ['GET', '/healthz', '', false],
    ]);
    expect({ ...rs[0]!.headers }).toEqual({ host: 'h', 'content-length': '5', 'x-a': '1, 2' });
  });

  it('keeps an HTTP/1.0 connection only when asked', () => {
    expect(parseAll('GET / HTTP/1.0\r\n\r\n')[0]).toMatchObject({ minor: 0, keepAlive: false });
    expect(parseAll('GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n')[0]).toMatchObject({ minor: 0, keepAlive: true });
  });

  it('refuses what HTTP/1.1 does not allow, or could be read two ways, with the status to answer', () => {
    expect(refusal('GARBAGE\r\n\r\n')).toBe(400);
    expect(refusal('GET / HTTP/2.0\r\nhost: h\r\n\r\n')).toBe(505);
    expect(refusal('GET / HTTP/1.1\r\n\r\n')).toBe(400); // no host
    expect(refusal('GET / HTTP/1.1\r\nhost : h\r\n\r\n')).toBe(400);
    expect(refusal('GET / HTTP/1.1\r\nhost: h\r\n folded\r\n\r\n')).toBe(400);
    expect(refusal('POST / HTTP/1.1\r\nhost: h\r\ncontent-length: 1\r\ntransfer-encoding: chunked\r\n\r\n')).toBe(400);
    expect(refusal('POST / HTTP/1.1\r\nhost: h\r\ncontent-length: 1, 2\r\n\r\n')).toBe(400);
    expect(refusal('POST / HTTP/1.1\r\nhost: h\r\ncontent-length: -1\r\n\r\n')).toBe(400);
    expect(refusal('POST / HTTP/1.1\r\nhost: h\r\ntransfer-encoding: gzip, chunked\r\n\r\n')).toBe(501);
    expect(refusal('POST / HTTP/1.1\r\nhost: h\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n')).toBe(400);
    expect(refusal('POST / HTTP/1.1\r\nhost: h\r\ntransfer-encoding: chunked\r\n\r\n1\r\nab\r\n')).toBe(400);
    expect(refusal('POST / HTTP/1.1\r\nhost: h\r\nexpect: magic\r\n\r\n')).toBe(417);
    expect(refusal(`GET / HTTP/1.1\r\nhost: h\r\nx: ${'a'.repeat(2000)}\r\n\r\n`)).toBe(431);
    expect(refusal(`GET / HTTP/1.1\r\nhost: h\r\nx: ${'a'.repeat(2000)}`)).toBe(431); // before the head ends
    expect(refusal('POST / HTTP/1.1\r\nhost: h\r\ncontent-length: 65\r\n\r\n')).toBe(413);
    expect(refusal('POST / HTTP/1.1\r\nhost: h\r\ntransfer-encoding: chunked\r\n\r\n41\r\n')).toBe(413);
    expect(refusal('POST / HTTP/1.1\r\nhost: h\r\ncontent-length: 64\r\n\r\n')).toBe(0);
  });
});

let server: Http1Server | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const echo: RequestHandler = (r) => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: `${r.method} ${r.target} ${r.body.toString()}` });

async function start(handler: RequestHandler = echo, opts: ConstructorParameters<typeof Http1Server>[1] = {}): Promise<number> {
  server = new Http1Server(handler, { maxBodyBytes: 64, ...opts });
  return server.listen(0, '127.0.0.1');
}

/** A raw client: what it writes, and everything the server sends until it closes (or `until` matches). */
async function exchange(port: number, writes: (string | Buffer)[], until?: (got: string) => boolean, gapMs = 0): Promise<{ got: string; closed: boolean }> {
  const socket = net.connect(port, '127.0.0.1');
  let got = '';
  let closed = false;
  const done = new Promise<void>((resolve) => {
    socket.on('data', (d) => {
      got += d.toString('latin1');
      if (until?.(got)) resolve();
    });
    socket.on('close', () => {
      closed = true;
      resolve();
    });
    socket.on('error', () => undefined);
  });
  await new Promise((resolve) => socket.once('connect', resolve));
  for (const w of writes) {
    socket.write(w);
    if (gapMs) await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  await done;
  socket.destroy();
  return { got, closed };
}

const answers = (got: string) => got.match(/HTTP\/1\.1 \d{3}/g) ?? [];

describe('Http1Server', () => {
  it('keeps a connection alive across requests, and answers pipelined ones in order even when the first is slower', async () => {
    const port = await start(async (r) => {
      if (r.body.toString() === 'slow') await new Promise((resolve) => setTimeout(resolve, 50));
      return echo(r);
    });
    const req = (body: string) => `POST /${body} HTTP/1.1\r\nhost: h\r\ncontent-length: ${body.length}\r\n\r\n${body}`;
    const { got, closed } = await exchange(port, [req('slow') + req('a'), req('bb')], (g) => g.endsWith('POST /bb bb'), 10);
    expect(closed).toBe(false);
    expect(got.match(/POST \/\w+ [a-z]+?(?=HTTP\/|$)/g)).toEqual(['POST /slow slow', 'POST /a a', 'POST /bb bb']);
    expect(got).toMatch(/^HTTP\/1\.1 200 OK\r\ndate: .+ GMT\r\ncontent-type: text\/plain\r\ncontent-length: 15\r\n\r\n/);
  });

  it('reads a chunked body sent in pieces', async () => {
    const port = await start();
    const { got } = await exchange(port, ['POST / HTTP/1.1\r\nhost: h\r\ntransfer-encoding: chunked\r\n\r\n3\r\nab', 'c\r\n2\r\nde\r\n0\r\n', '\r\n'], (g) => g.endsWith('abcde'), 10);
    expect(got).toMatch(/200 OK[^]*POST \/ abcde$/);
  });

  it('answers Expect: 100-continue before the body comes', async () => {
    const port = await start();
    const socket = net.connect(port, '127.0.0.1');
    let got = '';
    socket.on('data', (d) => (got += d.toString()));
    socket.write('POST / HTTP/1.1\r\nhost: h\r\nexpect: 100-continue\r\ncontent-length: 2\r\n\r\n');
    await waitUntil(() => got.length > 0);
    expect(got).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    socket.write('ok');
    await waitUntil(() => got.endsWith('POST / ok'));
    socket.destroy();
  });

  it('closes after answering Connection: close, and an HTTP/1.0 request unless asked to keep it', async () => {
    const port = await start();
    let r = await exchange(port, ['GET / HTTP/1.1\r\nhost: h\r\nconnection: close\r\n\r\nGET /never HTTP/1.1\r\nhost: h\r\n\r\n']);
    expect([r.closed, answers(r.got).length, r.got.includes('connection: close')]).toEqual([true, 1, true]);
    r = await exchange(port, ['GET / HTTP/1.0\r\n\r\n']);
    expect([r.closed, answers(r.got).length]).toEqual([true, 1]);
    r = await exchange(port, ['GET / HTTP/1.0\r\nconnection: keep-alive\r\n\r\n'], (g) => g.endsWith('GET / '));
    expect([r.closed, r.got.includes('connection: keep-alive')]).toEqual([false, true]);
  });

  it('answers a client that half-closes after its request', async () => {
    const port = await start();
    const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let got = '';
    socket.on('data', (d) => (got += d.toString()));
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.end('POST / HTTP/1.1\r\nhost: h\r\ncontent-length: 1\r\n\r\nx');
    await closed;
    expect(got).toMatch(/200 OK[^]*POST \/ x$/);
  });

  it('answers a malformed request with 400 and closes', async () => {
    const port = await start();
    const r = await exchange(port, ['NOT HTTP AT ALL\r\n\r\n']);
    expect([r.closed, answers(r.got)]).toEqual([true, ['HTTP/1.1 400']]);
    expect(r.got).toMatch(/invalid request line/);
  });

  it('answers 413 to a body over the limit and drops the rest, so a client sending it whole reads the answer', async () => {
    const port = await start();
    const piece = Buffer.alloc(512 * 1024, 1);
    const r = await exchange(port, [`POST / HTTP/1.1\r\nhost: h\r\ncontent-length: ${4 * piece.length}\r\n\r\n`, piece, piece, piece, piece], undefined, 20);
    expect([r.closed, answers(r.got)]).toEqual([true, ['HTTP/1.1 413']]);
  });

  it('answers the handler\'s error with 500 and keeps serving', async () => {
    const port = await start((r) => {
      if (r.target === '/throw') throw new Error('boom');
      return echo(r);
    });
    const r = await exchange(port, ['GET /throw HTTP/1.1\r\nhost: h\r\n\r\nGET /ok HTTP/1.1\r\nhost: h\r\n\r\n'], (g) => g.endsWith('GET /ok '));
    expect(answers(r.got)).toEqual(['HTTP/1.1 500', 'HTTP/1.1 200']);
    expect(r.got).toMatch(/boom/);
  });

  it('closes an idle kept-alive connection, and answers 408 to a request that stalls', async () => {
    const port = await start(echo, { keepAliveTimeoutMs: 100, requestTimeoutMs: 200 });
    let r = await exchange(port, ['GET / HTTP/1.1\r\nhost: h\r\n\r\n']);
    expect([r.closed, answers(r.got)]).toEqual([true, ['HTTP/1.1 200']]);
    r = await exchange(port, ['POST / HTTP/1.1\r\nhost: h\r\ncontent-length: 10\r\n\r\nabc']);
    expect([r.closed, answers(r.got)]).toEqual([true, ['HTTP/1.1 408']]);
  });

  it('on close, ends idle connections at once and busy ones after their answer, which says connection: close', async () => {
    let release: () => void = () => undefined;
    const port = await start(async (r) => {
      await new Promise<void>((resolve) => (release = resolve));
      return echo(r);
    });
    const idle = exchange(port, []);
    const busy = exchange(port, ['GET /busy HTTP/1.1\r\nhost: h\r\n\r\n']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closing = server!.close();
    server = undefined;
    expect((await idle).closed).toBe(true);
    release();
    const r = await busy;
    await closing;
    expect([r.closed, answers(r.got), r.got.includes('connection: close')]).toEqual([true, ['HTTP/1.1 200'], true]);
  });
});

async function waitUntil(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(check()).toBe(true);
}
