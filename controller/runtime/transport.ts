// HTTP(S) to the apiserver, authenticated by @kubernetes/client-node's KubeConfig.
//
// Why our own thin layer instead of the library's KubernetesObjectApi / Watch: one transport
// serves plain requests and long-running watch streams alike; the apiserver's Status body (code,
// reason, message) reaches our errors intact (the library's Watch keeps only the status text and
// drops unparsable lines silently); subresources (`/status`) and any content type (apply-patch,
// merge-patch) are one parameter away; no discovery round-trips are needed since callers pass
// the plural. KubeConfig still does what it is good at: kubeconfig files, in-cluster config,
// client certificates, tokens (refreshed per request by its authenticators) and proxies.
import http from 'node:http';
import https from 'node:https';
import { createHash } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import { linkSignals } from './signals.js';

export type Query = Record<string, string | number | boolean | undefined>;

export interface HttpRequest {
  method: string;
  path: string;
  query?: Query;
  body?: string;
  contentType?: string;
  signal?: AbortSignal;
}

export class KubeTransport {
  readonly server: URL;
  private pooled: { fingerprint: string; agent: http.Agent } | undefined;

  constructor(
    private readonly kc: KubeConfig,
    private readonly userAgent = 'function-mesh-ts-controller',
  ) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster: set current-context (kubectl config use-context <name>) or run in a pod');
    this.server = new URL(cluster.server);
  }

  /** Sends a request and resolves with the response once headers arrive (any status). */
  async open(req: HttpRequest): Promise<http.IncomingMessage> {
    const opts = await this.connectionOptions();
    const url = new URL(this.server.pathname.replace(/\/$/, '') + req.path, this.server);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: http.OutgoingHttpHeaders = {
      ...(opts.headers as http.OutgoingHttpHeaders | undefined),
      accept: 'application/json',
      'user-agent': this.userAgent,
    };
    if (req.body !== undefined) {
      headers['content-type'] = req.contentType ?? 'application/json';
      headers['content-length'] = Buffer.byteLength(req.body);
    }
    const send = url.protocol === 'https:' ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const request = send(url, {
        method: req.method,
        headers,
        agent: opts.agent,
        auth: opts.auth,
        signal: req.signal,
      });
      request.once('response', resolve);
      // Also after the response: an abort mid-body must not go unhandled. The message names the
      // server, so "read ECONNRESET" becomes something a person can act on.
      request.on('error', (err: NodeJS.ErrnoException) => {
        const failure = new Error(`${req.method} ${url.origin}${url.pathname}: ${err.message}`, { cause: err });
        failure.name = err.name;
        reject(failure);
      });
      request.end(req.body);
    });
  }

  /** Sends a request and reads the whole response body within `timeoutMs`. */
  async request(req: HttpRequest & { timeoutMs: number }): Promise<{ status: number; text: string }> {
    const deadline = linkSignals([req.signal], req.timeoutMs);
    try {
      const res = await this.open({ ...req, signal: deadline.signal });
      return { status: res.statusCode ?? 0, text: await readBody(res) };
    } finally {
      deadline.dispose();
    }
  }

  // Asks KubeConfig for credentials on every request (tokens expire, exec plugins refresh) but
  // keeps one keep-alive agent while the TLS material is unchanged: KubeConfig builds a fresh
  // agent per call, which would mean a TLS handshake per request.
  private async connectionOptions(): Promise<https.RequestOptions> {
    const opts: https.RequestOptions = {};
    await this.kc.applyToHTTPSOptions(opts);
    if (this.kc.getCurrentCluster()?.proxyUrl) return opts; // its proxy agent, as built
    const tls = { ca: opts.ca, cert: opts.cert, key: opts.key, pfx: opts.pfx, passphrase: opts.passphrase, rejectUnauthorized: opts.rejectUnauthorized, servername: opts.servername };
    const hash = createHash('sha256');
    for (const v of Object.values(tls)) hash.update(Buffer.isBuffer(v) ? v : String(v)).update('\0');
    const fingerprint = hash.digest('hex');
    if (this.pooled?.fingerprint !== fingerprint) {
      const agent = this.server.protocol === 'https:' ? new https.Agent({ keepAlive: true, ...tls }) : new http.Agent({ keepAlive: true });
      this.pooled = { fingerprint, agent };
    }
    opts.agent = this.pooled.agent;
    return opts;
  }

  close(): void {
    this.pooled?.agent.destroy();
    this.pooled = undefined;
  }
}

export async function readBody(res: http.IncomingMessage): Promise<string> {
  res.setEncoding('utf8');
  let text = '';
  for await (const chunk of res) text += chunk as string;
  return text;
}
