// The scaler process: `tsx scaler/main.ts [flags]`, every flag with an env fallback.
import { parseArgs } from 'node:util';
import { createLogger } from '../process/logger.js';
import { onShutdown } from '../process/shutdown.js';
import { startScaler, type ScalerConfig } from './app.js';

const USAGE = `usage: scaler [flags]
  --port <n>              gRPC port (SCALER_GRPC_PORT, default 9090)
  --ops-port <n>          /healthz /readyz /metrics port (SCALER_OPS_PORT, default 8081)
  --host <addr>           listen address (SCALER_HOST, default 0.0.0.0)
  --tls-cert <file>       serve gRPC over TLS with this certificate (SCALER_TLS_CERT)
  --tls-key <file>        and this key (SCALER_TLS_KEY)
  --tls-client-ca <file>  require client certificates signed by this CA: mTLS (SCALER_TLS_CLIENT_CA)
  --admin-url <url>       Pulsar admin URL for triggers without adminURL (PULSAR_ADMIN_URL)
  --pulsar-ca-file <file> CA(s) to trust for https:// admin URLs, PEM; default: the system's (PULSAR_CA_FILE)
  --token-file <file>     Pulsar token for every admin URL, re-read on change (PULSAR_TOKEN_FILE; or PULSAR_TOKEN)
  --tokens-file <file>    YAML map admin URL → token file, per cluster (PULSAR_TOKENS_FILE)
  --backlog-source <m>    metrics (batched broker /metrics, default) | stats (per-topic admin stats) (SCALER_BACKLOG_SOURCE)
  --fresh-ms <n>          reuse a backlog read this long (SCALER_FRESH_MS, default 5000)
  --list-fresh-ms <n>     re-list a topicPattern's namespace this often (SCALER_LIST_FRESH_MS, default 30000)
  --check-ms <n>          re-check streams' idle state this often (SCALER_CHECK_MS, default 10000)
  --admin-timeout-ms <n>  Pulsar admin request timeout (SCALER_ADMIN_TIMEOUT_MS, default 5000)`;

const env = process.env;
const { values } = parseFlags();

function parseFlags() {
  try {
    return parseArgs({
      options: {
        port: { type: 'string', default: env.SCALER_GRPC_PORT ?? '9090' },
        'ops-port': { type: 'string', default: env.SCALER_OPS_PORT ?? '8081' },
        host: { type: 'string', default: env.SCALER_HOST },
        'tls-cert': { type: 'string', default: env.SCALER_TLS_CERT },
        'tls-key': { type: 'string', default: env.SCALER_TLS_KEY },
        'tls-client-ca': { type: 'string', default: env.SCALER_TLS_CLIENT_CA },
        'admin-url': { type: 'string', default: env.PULSAR_ADMIN_URL },
        'pulsar-ca-file': { type: 'string', default: env.PULSAR_CA_FILE },
        'token-file': { type: 'string', default: env.PULSAR_TOKEN_FILE },
        'tokens-file': { type: 'string', default: env.PULSAR_TOKENS_FILE },
        'backlog-source': { type: 'string', default: env.SCALER_BACKLOG_SOURCE ?? 'metrics' },
        'fresh-ms': { type: 'string', default: env.SCALER_FRESH_MS ?? '5000' },
        'list-fresh-ms': { type: 'string', default: env.SCALER_LIST_FRESH_MS ?? '30000' },
        'check-ms': { type: 'string', default: env.SCALER_CHECK_MS ?? '10000' },
        'admin-timeout-ms': { type: 'string', default: env.SCALER_ADMIN_TIMEOUT_MS ?? '5000' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
  } catch (err) {
    return fail((err as Error).message);
  }
}

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

function fail(message: string): never {
  console.error(`scaler: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function int(flag: keyof typeof values, min: number): number {
  const raw = String(values[flag]);
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min) fail(`--${flag} "${raw}" must be a whole number ≥ ${min}`);
  return n;
}

const mode = values['backlog-source'];
if (mode !== 'metrics' && mode !== 'stats') fail(`--backlog-source "${mode}" must be metrics or stats`);
if (Boolean(values['tls-cert']) !== Boolean(values['tls-key'])) fail('--tls-cert and --tls-key go together');
if (values['admin-url'] && !/^https?:\/\/[^/]/.test(values['admin-url'])) fail(`--admin-url "${values['admin-url']}" must be an http(s):// URL`);
if (values['tls-client-ca'] && !values['tls-cert']) fail('--tls-client-ca needs --tls-cert and --tls-key');

const log = createLogger('scaler');
const config: ScalerConfig = {
  grpcPort: int('port', 0),
  opsPort: int('ops-port', 0),
  host: values.host,
  tls: values['tls-cert'] ? { certFile: values['tls-cert'], keyFile: values['tls-key']!, clientCaFile: values['tls-client-ca'] } : undefined,
  credentials: { tokenFile: values['token-file'], tokensFile: values['tokens-file'], token: env.PULSAR_TOKEN },
  defaultAdminUrl: values['admin-url'],
  pulsarCaFile: values['pulsar-ca-file'],
  backlogMode: mode,
  freshMs: int('fresh-ms', 0),
  listFreshMs: int('list-fresh-ms', 0),
  checkMs: int('check-ms', 100),
  adminTimeoutMs: int('admin-timeout-ms', 100),
  log,
};

try {
  const scaler = await startScaler(config);
  onShutdown(log, [{ name: 'scaler', run: () => scaler.close() }]);
} catch (err) {
  log.fatal({ err: (err as Error).message }, 'scaler failed to start');
  process.exit(1);
}
