// The KEDA external scaler gRPC server: externalscaler.ExternalScaler answered from the shared
// backlog cache, push activation through the ActivationWatcher, grpc.health.v1, graceful close.
import * as grpc from '@grpc/grpc-js';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Logger } from '../process/logger.js';
import { isActive } from './backlog.js';
import type { BacklogSource } from './backlog-source.js';
import type { ActivationWatcher } from './activation-watcher.js';
import { toServiceError } from './grpc-errors.js';
import { parseTriggerMetadata, type TriggerConfig } from './metadata.js';
import {
  EXTERNAL_SCALER_SERVICE_NAME,
  externalScalerService,
  healthService,
  type GetMetricSpecResponse,
  type GetMetricsRequest,
  type GetMetricsResponse,
  type HealthStatus,
  type IsActiveResponse,
  type ScaledObjectRef,
} from './protos.js';

export interface ScalerServerOptions {
  port: number;
  host?: string;
  credentials?: grpc.ServerCredentials;
  source: BacklogSource;
  watcher: ActivationWatcher;
  log: Logger;
  registry: Registry;
  /** Admin URL for triggers that name none. */
  defaultAdminUrl?: string;
}

type Handler<Req, Res> = (req: Req) => Promise<Res>;

// Distinct trigger metadata kept parsed (about one per ScaledObject); past it the map starts over.
const MAX_PARSED_CONFIGS = 20_000;
// A failing ScaledObject is asked several times per 30 s: its error is logged once per minute.
const ERROR_LOG_INTERVAL_MS = 60_000;
// (ScaledObject, status code) pairs whose last error-log time is remembered; past it, forgotten.
const MAX_ERROR_LOG_KEYS = 20_000;

export class ScalerServer {
  readonly port: number;
  private readonly streams = new Set<grpc.ServerWritableStream<ScaledObjectRef, IsActiveResponse>>();
  private readonly healthWatchers = new Set<grpc.ServerWritableStream<{ service: string }, { status: HealthStatus }>>();
  private readonly configs = new Map<string, TriggerConfig | Error>();
  private readonly lastErrorLog = new Map<string, number>();
  private serving: HealthStatus = 'SERVING';

  private constructor(
    private readonly server: grpc.Server,
    port: number,
    private readonly opts: ScalerServerOptions,
  ) {
    this.port = port;
  }

  static async start(opts: ScalerServerOptions): Promise<ScalerServer> {
    // channelz (per-call bookkeeping for a debugging service nobody here queries) is off: it is a
    // measurable part of each call's cost at KEDA's and the HPA's call rates.
    const server = new grpc.Server({ 'grpc.keepalive_permit_without_calls': 1, 'grpc.enable_channelz': 0 });
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`${opts.host ?? '0.0.0.0'}:${opts.port}`, opts.credentials ?? grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      );
    });
    const scaler = new ScalerServer(server, port, opts);
    scaler.register();
    return scaler;
  }

  /** Ends every stream cleanly (KEDA reconnects elsewhere), drains calls, then stops. */
  async close(graceMs = 10_000): Promise<void> {
    this.setServing('NOT_SERVING');
    this.opts.watcher.close();
    for (const call of this.streams) call.end();
    for (const call of this.healthWatchers) call.end();
    this.streams.clear();
    this.healthWatchers.clear();
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, graceMs);
      this.server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }

  setServing(status: HealthStatus): void {
    this.serving = status;
    for (const call of this.healthWatchers) call.write({ status });
  }

  private register(): void {
    const { registry, source, watcher } = this.opts;
    const requests = new Counter({ name: 'scaler_grpc_requests_total', help: 'gRPC calls answered, by method and status code', labelNames: ['method', 'code'], registers: [registry] });
    const latency = new Histogram({
      name: 'scaler_grpc_request_duration_seconds',
      help: 'gRPC call latency, by method',
      labelNames: ['method'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers: [registry],
    });
    new Gauge({ name: 'scaler_streams_open', help: 'Open StreamIsActive streams', registers: [registry], collect() { this.set(watcher.openStreams); } });
    new Gauge({ name: 'scaler_watched_topics', help: 'Idle topics watched by a reader (push activation)', registers: [registry], collect() { this.set(watcher.watchedTopics); } });
    new Gauge({ name: 'scaler_watched_topics_connected', help: 'Watched idle topics whose reader is connected', registers: [registry], collect() { this.set(watcher.connectedTopics); } });
    new Gauge({
      name: 'scaler_backlog_fetches',
      help: 'Reads started on Pulsar since start, by kind (stats, partitions, entries, lists, scrapes)',
      labelNames: ['kind'],
      registers: [registry],
      collect() {
        for (const [kind, n] of Object.entries(source.fetchCounts())) this.set({ kind }, n);
      },
    });

    const unary = <Req, Res>(method: string, ref: (req: Req) => ScaledObjectRef | null, handler: Handler<Req, Res>): grpc.handleUnaryCall<Req, Res> => {
      return (call, callback) => {
        const started = process.hrtime.bigint();
        handler(call.request).then(
          (res) => {
            requests.inc({ method, code: 'OK' });
            latency.observe({ method }, Number(process.hrtime.bigint() - started) / 1e9);
            callback(null, res);
          },
          (err: unknown) => {
            const error = toServiceError(err);
            requests.inc({ method, code: grpc.status[error.code] });
            latency.observe({ method }, Number(process.hrtime.bigint() - started) / 1e9);
            const so = ref(call.request);
            this.logError(`${so?.namespace ?? ''}/${so?.name ?? ''}`, method, error);
            callback(error);
          },
        );
      };
    };

    this.server.addService(externalScalerService, {
      GetMetricSpec: unary<ScaledObjectRef, GetMetricSpecResponse>('GetMetricSpec', (r) => r, async (req) => {
        const config = this.configOf(req);
        return { metricSpecs: [{ metricName: config.metricName, targetSize: config.targetBacklog, targetSizeFloat: config.targetBacklog }] };
      }),
      GetMetrics: unary<GetMetricsRequest, GetMetricsResponse>('GetMetrics', (r) => r.scaledObjectRef, async (req) => {
        const config = this.configOf(req.scaledObjectRef ?? { name: '', namespace: '', scalerMetadata: {} });
        const report = await source.read(config);
        const metricName = req.metricName || config.metricName;
        return { metricValues: [{ metricName, metricValue: report.backlog, metricValueFloat: report.backlog }] };
      }),
      IsActive: unary<ScaledObjectRef, IsActiveResponse>('IsActive', (r) => r, async (req) => {
        const config = this.configOf(req);
        const report = await source.read(config);
        return { result: isActive(report.backlog, config.activationBacklog) };
      }),
      StreamIsActive: (call: grpc.ServerWritableStream<ScaledObjectRef, IsActiveResponse>) => this.streamIsActive(call, requests),
    });

    this.server.addService(healthService, {
      Check: (call: grpc.ServerUnaryCall<{ service: string }, { status: HealthStatus }>, callback: grpc.sendUnaryData<{ status: HealthStatus }>) => {
        const status = this.healthOf(call.request.service);
        if (!status) return callback({ code: grpc.status.NOT_FOUND, details: `unknown service "${call.request.service}"` });
        callback(null, { status });
      },
      Watch: (call: grpc.ServerWritableStream<{ service: string }, { status: HealthStatus }>) => {
        call.write({ status: this.healthOf(call.request.service) ?? 'SERVICE_UNKNOWN' });
        this.healthWatchers.add(call);
        call.on('cancelled', () => this.healthWatchers.delete(call));
      },
    });
  }

  private streamIsActive(call: grpc.ServerWritableStream<ScaledObjectRef, IsActiveResponse>, requests: Counter): void {
    const req = call.request;
    const key = `${req.namespace}/${req.name}`;
    const log = this.opts.log.child({ scaledObject: key, method: 'StreamIsActive' });
    let config: TriggerConfig;
    try {
      config = this.configOf(req);
    } catch (err) {
      const error = toServiceError(err);
      requests.inc({ method: 'StreamIsActive', code: grpc.status[error.code] });
      log.warn({ err: error.message }, 'stream refused');
      call.emit('error', error); // grpc-js: ends the stream with this status
      return;
    }
    requests.inc({ method: 'StreamIsActive', code: 'OK' });
    this.streams.add(call);
    log.info('stream opened');
    const stop = this.opts.watcher.add({ key, config, log, push: (active) => call.write({ result: active }) });
    const closed = (): void => {
      if (!this.streams.delete(call)) return;
      stop();
      log.info('stream closed');
    };
    call.on('cancelled', closed);
    call.on('close', closed);
    call.on('error', closed);
  }

  private logError(scaledObject: string, method: string, error: grpc.ServiceError): void {
    const key = `${scaledObject} ${error.code}`;
    const now = Date.now();
    if (now - (this.lastErrorLog.get(key) ?? -Infinity) < ERROR_LOG_INTERVAL_MS) return;
    if (this.lastErrorLog.size >= MAX_ERROR_LOG_KEYS) this.lastErrorLog.clear();
    this.lastErrorLog.set(key, now);
    this.opts.log.warn({ scaledObject, method, code: grpc.status[error.code], err: error.message }, 'call failed (logged once a minute per object and code)');
  }

  private healthOf(service: string): HealthStatus | undefined {
    return service === '' || service === EXTERNAL_SCALER_SERVICE_NAME ? this.serving : undefined;
  }

  /** Parsed once per distinct metadata; errors are remembered too (KEDA will ask again). */
  private configOf(ref: ScaledObjectRef): TriggerConfig {
    const meta = ref.scalerMetadata ?? {};
    const cacheKey = JSON.stringify(Object.entries(meta).sort(([a], [b]) => (a < b ? -1 : 1)));
    let parsed = this.configs.get(cacheKey);
    if (!parsed) {
      try {
        parsed = parseTriggerMetadata(meta, { defaultAdminUrl: this.opts.defaultAdminUrl });
      } catch (err) {
        parsed = err as Error;
      }
      if (this.configs.size >= MAX_PARSED_CONFIGS) this.configs.clear();
      this.configs.set(cacheKey, parsed);
    }
    if (parsed instanceof Error) throw parsed;
    return parsed;
  }
}
