// Wires the scaler together: credentials → admin clients → backlog source → activation watcher →
// gRPC server, plus the ops server (/healthz, /readyz, /metrics). Used by main.ts, the
// integration tests and the benchmark, so all three run the same thing.
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { PulsarAdmin } from '../adapters/pulsar/admin-client.js';
import type { Logger } from '../process/logger.js';
import { startOpsServer, type OpsServer } from '../process/ops-server.js';
import { ActivationWatcher } from './activation-watcher.js';
import { BacklogSource, type BacklogMode } from './backlog-source.js';
import { Credentials, type CredentialsOptions } from './credentials.js';
import { ScalerServer } from './server.js';
import { TopicWatch } from './topic-watch.js';

export interface ScalerConfig {
  grpcPort: number;
  /** undefined: no ops server (tests). */
  opsPort?: number;
  host?: string;
  tls?: { certFile: string; keyFile: string; clientCaFile?: string };
  credentials?: CredentialsOptions;
  defaultAdminUrl?: string;
  /** PEM file of the CA(s) to trust for https:// admin URLs and wss:// watches (a private CA). */
  pulsarCaFile?: string;
  backlogMode?: BacklogMode;
  freshMs?: number;
  listFreshMs?: number;
  checkMs?: number;
  adminTimeoutMs?: number;
  log: Logger;
}

export interface Scaler {
  server: ScalerServer;
  source: BacklogSource;
  watcher: ActivationWatcher;
  ops?: OpsServer;
  /** Admin clients by admin URL (their request counters measure the load on Pulsar). */
  admins: Map<string, PulsarAdmin>;
  close(): Promise<void>;
}

export async function startScaler(config: ScalerConfig): Promise<Scaler> {
  const { log } = config;
  const credentials = new Credentials(config.credentials);
  const ca = config.pulsarCaFile ? readPulsarCa(config.pulsarCaFile) : undefined;
  const admins = new Map<string, PulsarAdmin>();
  const adminFor = (url: string): PulsarAdmin => {
    let admin = admins.get(url);
    if (!admin) {
      admin = new PulsarAdmin({ url, token: credentials.tokenFor(url), timeoutMs: config.adminTimeoutMs, ca });
      admins.set(url, admin);
    }
    return admin;
  };
  const freshMs = config.freshMs ?? 5_000;
  const source = new BacklogSource({ adminFor, mode: config.backlogMode, freshMs, listFreshMs: config.listFreshMs });
  const watcher = new ActivationWatcher({
    source,
    log,
    checkMs: config.checkMs,
    openWatch: ({ config: trigger, topic, onOpen, onMessage }) =>
      new TopicWatch({ baseUrl: trigger.adminUrl, topic, token: credentials.tokenFor(trigger.adminUrl), ca, onOpen, onMessage, log: log.child({ topic: topic.local }) }),
  });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'scaler_pulsar_admin_requests',
    help: 'HTTP requests sent to Pulsar admin APIs since start (redirect hops included)',
    registers: [registry],
    collect() {
      this.set([...admins.values()].reduce((sum, a) => sum + a.requests, 0));
    },
  });
  const server = await ScalerServer.start({
    port: config.grpcPort,
    host: config.host,
    credentials: serverCredentials(config.tls),
    source,
    watcher,
    log,
    registry,
    defaultAdminUrl: config.defaultAdminUrl,
  });
  const sweeper = setInterval(() => source.sweep(Math.max(10 * freshMs, 600_000)), 60_000);
  sweeper.unref();
  const ops = config.opsPort === undefined ? undefined : await startOpsServer({ port: config.opsPort, host: config.host, registry });
  ops?.addReadinessCheck('grpc', () => undefined);
  log.info(
    { grpcPort: server.port, opsPort: ops?.port, tls: config.tls ? (config.tls.clientCaFile ? 'mtls' : 'tls') : 'off', pulsarCa: config.pulsarCaFile ?? 'system', backlogMode: source.mode, freshMs, credentials: credentials.describe() },
    'scaler started',
  );
  return {
    server,
    source,
    watcher,
    ops,
    admins,
    close: async () => {
      clearInterval(sweeper);
      await server.close();
      await ops?.close();
    },
  };
}

/** Read once at start: a new CA needs a restart (a Deployment rollout). */
function readPulsarCa(file: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`--pulsar-ca-file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`--pulsar-ca-file ${file}: no PEM certificate in it`);
  return pem;
}

function serverCredentials(tls: ScalerConfig['tls']): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  const ca = tls.clientCaFile ? readFileSync(tls.clientCaFile) : null;
  return grpc.ServerCredentials.createSsl(ca, [{ private_key: readFileSync(tls.keyFile), cert_chain: readFileSync(tls.certFile) }], Boolean(ca));
}
