// Keep-alive HTTP for Pulsar's REST APIs, on node:http rather than fetch. The scaler refreshes
// hundreds of topics every few seconds: fetch's pool drops idle connections after 4 s and opens one
// per concurrent request, so each round paid for new connections and WHATWG streams, and that CPU
// burst delayed the gRPC answers to KEDA. Here a few sockets per broker are kept and reused.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';

/** Sockets per broker: concurrent requests beyond it queue rather than open more connections. */
const SOCKETS_PER_ORIGIN = 16;

const AGENT_OPTIONS = { keepAlive: true, maxSockets: SOCKETS_PER_ORIGIN, scheduling: 'lifo' } as const;
const httpAgent = new http.Agent(AGENT_OPTIONS);
/** https agents by what they trust (the system's CAs, a bundle, anything): a process knows one or two. */
const httpsAgents = new Map<string, https.Agent>();

function agentFor(url: URL, ca: string | undefined, insecure: boolean, client?: ClientCertificate): http.Agent {
  if (url.protocol !== 'https:') return httpAgent;
  const key = `${insecure ? 'insecure' : 'verify'}\0${ca ?? ''}\0${client ? `${client.cert}\0${client.key}` : ''}`;
  let agent = httpsAgents.get(key);
  if (!agent) {
    agent = new https.Agent({ ...AGENT_OPTIONS, ...(ca ? { ca } : {}), ...(insecure ? { rejectUnauthorized: false } : {}), ...(client ?? {}) });
    httpsAgents.set(key, agent);
  }
  return agent;
}

export interface HttpRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
  /** The whole exchange, body included: past it the request is destroyed. */
  timeoutMs: number;
  /** Ask for a gzip body (worth it for megabytes of text) and decode it. */
  gzip?: boolean;
  /** PEM bundle to trust for https instead of the system's CAs. */
  ca?: string;
  /** Accept any server certificate (Function Mesh's `tlsConfig.allowInsecure`). */
  insecure?: boolean;
  /** A TLS client certificate to present (Pulsar's AuthenticationTls). */
  clientCert?: ClientCertificate;
}

/** PEM certificate and private key. */
export interface ClientCertificate {
  cert: string;
  key: string;
}

export interface HttpAnswer {
  status: number;
  location?: string;
  /** Decoded body bytes; the deadline still runs while it is read. */
  body: Readable;
  text(): Promise<string>;
  /** Drops the body (the socket is reused once it is drained). */
  discard(): void;
}

/** The request could not be sent or answered: `reason` says why (a code, or the time-out). */
export class HttpTransportError extends Error {
  override readonly name = 'HttpTransportError';
  constructor(readonly reason: string) {
    super(reason);
  }
}

export function httpRequest(req: HttpRequest): Promise<HttpAnswer> {
  return send(req, true);
}

function send(req: HttpRequest, retryOnStaleSocket: boolean): Promise<HttpAnswer> {
  const { url } = req;
  const client = url.protocol === 'https:' ? https : http;
  const headers: Record<string, string> = { ...req.headers, ...(req.gzip ? { 'accept-encoding': 'gzip' } : {}) };
  if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
  return new Promise<HttpAnswer>((resolve, reject) => {
    const outgoing = client.request(url, { method: req.method, headers, agent: agentFor(url, req.ca, req.insecure ?? false, req.clientCert) });
    let answer: { res: IncomingMessage; body: Readable } | undefined;
    const deadline = setTimeout(() => {
      const err = new HttpTransportError(`no answer within ${req.timeoutMs} ms`);
      answer?.body.destroy(err);
      answer?.res.destroy(err);
      outgoing.destroy(err);
    }, req.timeoutMs);
    outgoing.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(deadline);
      if (answer) return; // reported through the body stream
      // A kept-alive socket the server closed while idle: safe to send an idempotent request again.
      if (retryOnStaleSocket && outgoing.reusedSocket && req.method === 'GET' && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) {
        send(req, false).then(resolve, reject);
        return;
      }
      reject(err instanceof HttpTransportError ? err : new HttpTransportError(describe(err)));
    });
    outgoing.on('response', (res: IncomingMessage) => {
      res.on('close', () => clearTimeout(deadline));
      const gzipped = res.headers['content-encoding'] === 'gzip';
      const body: Readable = gzipped ? res.pipe(createGunzip()) : res;
      if (gzipped) res.on('error', (err) => body.destroy(err));
      // A connection cut mid-body errors the streams: a reader sees it through its own listener,
      // and a dropped body must not turn it into an uncaught exception.
      res.on('error', ignore);
      body.on('error', ignore);
      answer = { res, body };
      resolve({
        status: res.statusCode ?? 0,
        location: res.headers.location,
        body,
        text: () => readText(body),
        discard: () => void res.resume(),
      });
    });
    outgoing.end(req.body);
  });
}

function ignore(): void {}

/** Node's error codes for a server certificate that does not verify (untrusted, self-signed, expired...). */
export function isCertificateError(code: string | undefined): boolean {
  return /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code ?? '');
}

function describe(err: NodeJS.ErrnoException): string {
  const code = err.code ?? err.message;
  return isCertificateError(code) ? `${code}: the server's TLS certificate is not trusted (configure the CA that signed it)` : code;
}

async function readText(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
