// The operational HTTP endpoints every process serves: /healthz (alive), /readyz (ready to
// serve, with the failing checks named) and Prometheus /metrics.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry, collectDefaultMetrics } from 'prom-client';

export type ReadinessCheck = () => string | undefined; // a reason when not ready

export interface OpsServer {
  readonly registry: Registry;
  readonly port: number;
  addReadinessCheck(name: string, check: ReadinessCheck): void;
  close(): Promise<void>;
}

export async function startOpsServer(opts: { port: number; host?: string; registry?: Registry }): Promise<OpsServer> {
  const registry = opts.registry ?? new Registry();
  if (!opts.registry) collectDefaultMetrics({ register: registry });
  const checks = new Map<string, ReadinessCheck>();
  let shuttingDown = false;

  const server = http.createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (url === '/healthz') return reply(res, 200, 'ok\n');
    if (url === '/readyz') {
      const failing = shuttingDown ? ['shutting down'] : [...checks].flatMap(([name, check]) => {
        const reason = check();
        return reason ? [`${name}: ${reason}`] : [];
      });
      return failing.length ? reply(res, 503, failing.join('\n') + '\n') : reply(res, 200, 'ok\n');
    }
    if (url === '/metrics') {
      registry.metrics().then(
        (text) => reply(res, 200, text, registry.contentType),
        (err: Error) => reply(res, 500, `${err.message}\n`),
      );
      return;
    }
    reply(res, 404, 'not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => resolve());
  });

  return {
    registry,
    port: (server.address() as AddressInfo).port,
    addReadinessCheck: (name, check) => void checks.set(name, check),
    close: () => {
      shuttingDown = true;
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function reply(res: http.ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type }).end(body);
}
