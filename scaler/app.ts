// Wires the scaler together: credentials → admin clients → backlog source → activation watcher →
// gRPC server, plus the ops server (/healthz, /readyz, /metrics). Used by main.ts, the
// integration tests and the benchmark, so all three run the same thing.
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { PulsarAdmin } from '../adapters/pulsar/admin-client.js';
import type { Logger } from '../process/logger.js';
import { startOpsServer, type OpsServer } from '../process/ops-server.js';
import { ActivationWatcher, type OpenWatch } from './activation-watcher.js';
import { BacklogSource, type BacklogMode } from './backlog-source.js';
import { Credentials, type CredentialsOptions } from './credentials.js';
import { ScalerServer } from './server.js';
import { BinaryWatches } from './binary-watches.js';
import { WebSocketTopicWatch } from './websocket-watch.js';

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
  /** Push activation's readers: `binary` (default) or `websocket` (the broker's WebSocket service). */
  activationTransport?: ActivationTransport;
  adminTimeoutMs?: number;
  log: Logger;
}

export type ActivationTransport = 'binary' | 'websocket';

export interface Scaler {
  server: ScalerServer;
  source: BacklogSource;
  watcher: ActivationWatcher;
  ops?: OpsServer;
  /** Admin clients by admin URL (their request counters measure the load on Pulsar). */
  admins: Map<string, PulsarAdmin>;
  /** The binary-protocol watches (undefined with the websocket transport). */
  binary?: BinaryWatches;
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
  const transport = config.activationTransport ?? 'binary';
  const binary = transport === 'binary'
    ? new BinaryWatches({ adminFor, tokenFor: (url) => credentials.tokenFor(url), ca, timeoutMs: config.adminTimeoutMs ?? 5_000, log: log.child({ transport }) })
    : undefined;
  const openWatch: OpenWatch = binary
    ? binary.open
    : ({ config: trigger, topic, from, onOpen, onMessage }) =>
        new WebSocketTopicWatch({ baseUrl: trigger.adminUrl, topic, from, token: credentials.tokenFor(trigger.adminUrl), ca, onOpen, onMessage, log: log.child({ topic: topic.local }) });
  const watcher = new ActivationWatcher({ source, log, checkMs: config.checkMs, openWatch });
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
  if (binary) {
    new Gauge({
      name: 'scaler_pulsar_connections',
      help: 'Binary-protocol connections to Pulsar brokers held by push activation',
      registers: [registry],
      collect() {
        this.set(binary.connections);
      },
    });
  }
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
    { grpcPort: server.port, opsPort: ops?.port, tls: config.tls ? (config.tls.clientCaFile ? 'mtls' : 'tls') : 'off', pulsarCa: config.pulsarCaFile ?? 'system', backlogMode: source.mode, freshMs, activationTransport: transport, credentials: credentials.describe() },
    'scaler started',
  );
  return {
    server,
    source,
    watcher,
    ops,
    admins,
    binary,
    close: async () => {
      clearInterval(sweeper);
      await server.close();
      await binary?.close();
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
