// Test support for the scaler suites: an in-process scaler, a gRPC client that asks the way KEDA
// does, a minimal WebSocket producer, unique topic names, and a private Pulsar broker (for tests
// that stop Pulsar or need authentication) started with hack/start-pulsar.
import { execFile } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import WebSocket from 'ws';
import { PulsarAdmin } from '../../../adapters/pulsar/admin-client.js';
import { createLogger } from '../../../process/logger.js';
import { startScaler, type Scaler, type ScalerConfig } from '../../../scaler/app.js';
import {
  ExternalScalerClient,
  type GetMetricSpecResponse,
  type GetMetricsResponse,
  type IsActiveResponse,
  type ScaledObjectRef,
} from '../../../scaler/protos.js';
import { readPlatformEnv } from '../../support/platform.js';
import { freePort } from '../../support/processes.js';
export { freePort };

export const quietLog = createLogger('scaler-test', process.env.LOG_LEVEL ?? 'silent');

export function sharedPulsarUrl(): string {
  return readPlatformEnv().PULSAR_WEB_URL;
}

/** Marks every topic this test process creates, so they can be deleted afterwards. */
export const RUN_ID = `st${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;

/** A topic local name no other test uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${RUN_ID}-${randomBytes(3).toString('hex')}`;
}

/** Deletes the topics of this run in one namespace (both domains), so the shared broker stays lean. */
export async function deleteRunTopics(webUrl: string, namespace = 'public/default'): Promise<void> {
  for (const domain of ['persistent', 'non-persistent']) {
    const base = `${webUrl}/admin/v2/${domain}/${namespace}`;
    const plain = (await (await fetch(base)).json()) as string[];
    const partitioned = (await (await fetch(`${base}/partitioned`)).json()) as string[];
    const ours = [...partitioned, ...plain.filter((t) => !/-partition-\d+$/.test(t))].filter((t) => t.includes(RUN_ID));
    await Promise.all(
      ours.map((t) => {
        const path = t.replace('://', '/');
        const isPartitioned = partitioned.includes(t);
        return fetch(`${webUrl}/admin/v2/${path}${isPartitioned ? '/partitions' : ''}?force=true`, { method: 'DELETE' }).catch(() => undefined);
      }),
    );
  }
}

export function startTestScaler(config: Partial<ScalerConfig> = {}): Promise<Scaler> {
  return startScaler({ grpcPort: 0, host: '127.0.0.1', log: quietLog, freshMs: 0, checkMs: 1_000, ...config });
}

/** A gRPC client that calls the scaler as KEDA does. */
export class KedaLikeClient {
  readonly client: grpc.Client & Record<string, (...args: unknown[]) => unknown>;

  constructor(port: number, credentials = grpc.credentials.createInsecure(), options: grpc.ClientOptions = {}) {
    this.client = new ExternalScalerClient(`127.0.0.1:${port}`, credentials, options) as never;
  }

  getMetricSpec(ref: ScaledObjectRef): Promise<GetMetricSpecResponse> {
    return this.unary('GetMetricSpec', ref);
  }

  getMetrics(ref: ScaledObjectRef, metricName: string): Promise<GetMetricsResponse> {
    return this.unary('GetMetrics', { scaledObjectRef: ref, metricName });
  }

  isActive(ref: ScaledObjectRef): Promise<IsActiveResponse> {
    return this.unary('IsActive', ref);
  }

  /** One polling round as KEDA does it: spec, then metrics (name prefixed like KEDA's s0-), then IsActive. */
  async poll(ref: ScaledObjectRef): Promise<{ target: number; value: number; active: boolean }> {
    const spec = await this.getMetricSpec(ref);
    const metricName = `s0-${spec.metricSpecs[0]!.metricName}`;
    const metrics = await this.getMetrics(ref, metricName);
    const value = metrics.metricValues[0]!;
    if (value.metricName !== metricName) throw new Error(`metric ${value.metricName} answered for ${metricName}`);
    const active = (await this.isActive(ref)).result;
    return { target: spec.metricSpecs[0]!.targetSize, value: value.metricValue, active };
  }

  /** Opens StreamIsActive; `trues` counts {result: true} messages with their arrival times. */
  stream(ref: ScaledObjectRef): ActiveStream {
    const call = (this.client.StreamIsActive as (r: ScaledObjectRef) => grpc.ClientReadableStream<IsActiveResponse>)(ref);
    const s: ActiveStream = { call, trues: [], ended: false, status: undefined };
    call.on('data', (m: IsActiveResponse) => {
      if (m.result) s.trues.push(Date.now());
    });
    call.on('status', (st: grpc.StatusObject) => {
      s.status = st;
    });
    call.on('error', () => undefined);
    call.on('end', () => {
      s.ended = true;
    });
    return s;
  }

  close(): void {
    this.client.close();
  }

  private unary<R>(method: string, req: unknown): Promise<R> {
    return new Promise((resolve, reject) => {
      (this.client[method] as (r: unknown, cb: (e: grpc.ServiceError | null, v: R) => void) => void)(req, (err, value) =>
        err ? reject(err) : resolve(value),
      );
    });
  }
}

export interface ActiveStream {
  call: grpc.ClientReadableStream<IsActiveResponse>;
  trues: number[];
  ended: boolean;
  status: grpc.StatusObject | undefined;
}

export function ref(name: string, metadata: Record<string, string>): ScaledObjectRef {
  return { name, namespace: 'scaler-test', scalerMetadata: { scalerAddress: 'scaler:9090', ...metadata } };
}

/** Publishes `count` messages through Pulsar's WebSocket producer; resolves once all are acked. */
export async function produce(webUrl: string, topicPath: string, count: number, token?: string): Promise<void> {
  const ws = new WebSocket(`${webUrl.replace(/^http/, 'ws')}/ws/v2/producer/${topicPath}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  try {
    for (let i = 0; i < count; i++) {
      const ack = new Promise<string>((resolve) => ws.once('message', (d) => resolve(String(d))));
      ws.send(JSON.stringify({ payload: Buffer.from(`m${i}`).toString('base64'), context: String(i) }));
      const reply = JSON.parse(await ack) as { result: string; errorMsg?: string };
      if (reply.result !== 'ok') throw new Error(`produce to ${topicPath} failed: ${reply.result} ${reply.errorMsg ?? ''}`);
    }
  } finally {
    ws.close();
  }
}

export function adminFor(webUrl: string, token?: string): PulsarAdmin {
  return new PulsarAdmin({ url: webUrl, token, timeoutMs: 30_000 });
}

const run = promisify(execFile);

/** A Pulsar standalone broker of the test's own (the shared one is never stopped). */
export class OwnPulsar {
  private constructor(
    readonly dir: string,
    readonly ports: { web: number; broker: number; bookie: number },
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  get webUrl(): string {
    return `http://127.0.0.1:${this.ports.web}`;
  }

  /**
   * `auth`: token authentication with an HS256 secret key; the returned broker knows a valid
   * token for the super-user `admin`. hack/start-pulsar probes readiness with curl: a .curlrc
   * (CURL_HOME) gives that probe the token too.
   */
  static async start(opts: { auth?: boolean } = {}): Promise<OwnPulsar & { token?: string }> {
    const dir = mkdtempSync(path.join(tmpdir(), 'scaler-pulsar-'));
    const ports = { web: await freePort(), broker: await freePort(), bookie: await freePort() };
    const env: NodeJS.ProcessEnv = { ...process.env, PULSAR_HEAP: '-Xms128m -Xmx512m', PULSAR_LOG_LEVEL: 'warn', PULSAR_STOP_TIMEOUT: '10' };
    let token: string | undefined;
    if (opts.auth) {
      const secret = randomBytes(32);
      token = signToken('admin', secret);
      env.PULSAR_CONF_EXTRA = [
        'authenticationEnabled=true',
        'authenticationProviders=org.apache.pulsar.broker.authentication.AuthenticationProviderToken',
        `tokenSecretKey=data:;base64,${secret.toString('base64')}`,
        'superUserRoles=admin',
        'authenticateMetricsEndpoint=true',
        'brokerClientAuthenticationPlugin=org.apache.pulsar.client.impl.auth.AuthenticationToken',
        `brokerClientAuthenticationParameters=token:${token}`,
      ].join('\n');
      writeFileSync(path.join(dir, '.curlrc'), `header = "Authorization: Bearer ${token}"\n`, { mode: 0o600 });
      env.CURL_HOME = dir;
    }
    const pulsar = Object.assign(new OwnPulsar(dir, ports, env), { token });
    await pulsar.run('start-pulsar', [path.join(dir, 'state'), String(ports.web), String(ports.broker), String(ports.bookie)]);
    return pulsar;
  }

  stop(): Promise<void> {
    return this.run('stop-pulsar', [path.join(this.dir, 'state')]);
  }

  /** Starts again on the same data and ports. */
  restart(): Promise<void> {
    return this.run('start-pulsar', ['--keep-data', path.join(this.dir, 'state'), String(this.ports.web), String(this.ports.broker), String(this.ports.bookie)]);
  }

  async destroy(): Promise<void> {
    await this.stop().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async run(script: string, args: string[]): Promise<void> {
    await run(path.resolve('hack', script), args, { env: this.env, timeout: 240_000 });
  }
}

/** An HS256 JWT as Pulsar's AuthenticationProviderToken verifies it (subject = role). */
export function signToken(subject: string, secret: Buffer): string {
  const b64 = (v: object | Buffer): string => (Buffer.isBuffer(v) ? v : Buffer.from(JSON.stringify(v))).toString('base64url');
  const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: subject })}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}
