// The scaler's flags, each with an env fallback and a default, in one table; rules across flags
// in `validate`. Every problem is reported at once, naming the flag, its env var and the fix.
import { flagOrEnv, flagsOf, readArgs, readSettings, usageLines, type Values } from '../process/config-table.js';
import { file, integer, oneOf, text } from '../process/config-values.js';
import { adminUrl } from './admin-url.js';

export const SCALER_FLAGS = {
  port: { type: integer(0, 65535), env: 'SCALER_GRPC_PORT', default: '9090', help: 'gRPC port' },
  'ops-port': { type: integer(0, 65535), env: 'SCALER_OPS_PORT', default: '8081', help: '/healthz /readyz /metrics port' },
  host: { type: text, env: 'SCALER_HOST', help: 'listen address', derivedDefault: 'every address' },
  'tls-cert': { type: file, env: 'SCALER_TLS_CERT', help: 'serve gRPC over TLS with this certificate' },
  'tls-key': { type: file, env: 'SCALER_TLS_KEY', help: 'and this key' },
  'tls-client-ca': { type: file, env: 'SCALER_TLS_CLIENT_CA', help: 'require client certificates signed by this CA: mTLS' },
  'admin-url': { type: adminUrl, env: 'PULSAR_ADMIN_URL', help: 'Pulsar admin URL for triggers without adminURL' },
  'pulsar-ca-file': { type: file, env: 'PULSAR_CA_FILE', help: 'CA(s) to trust for https:// admin URLs, PEM', derivedDefault: 'the system\'s' },
  'token-file': { type: file, env: 'PULSAR_TOKEN_FILE', help: 'Pulsar token for every admin URL, re-read on change (a JWT, or the Secret form token:JWT)' },
  token: { type: text, env: 'PULSAR_TOKEN', envOnly: true, help: 'Pulsar token when no --token-file is set' },
  'tokens-file': { type: file, env: 'PULSAR_TOKENS_FILE', help: 'YAML map admin URL → token file, per cluster' },
  'backlog-source': { type: oneOf(['metrics', 'stats']), env: 'SCALER_BACKLOG_SOURCE', default: 'metrics', help: 'metrics (batched broker /metrics) | stats (per-topic admin stats)' },
  'fresh-ms': { type: integer(0), env: 'SCALER_FRESH_MS', default: '5000', help: 'reuse a backlog read this long' },
  'list-fresh-ms': { type: integer(0), env: 'SCALER_LIST_FRESH_MS', default: '30000', help: 're-list a topicPattern\'s namespace this often' },
  'activation-transport': { type: oneOf(['binary', 'websocket']), env: 'SCALER_ACTIVATION_TRANSPORT', default: 'binary', help: 'push activation\'s readers: binary (Pulsar\'s protocol, one connection per broker) | websocket (needs the broker\'s WebSocket service)' },
  'check-ms': { type: integer(100), env: 'SCALER_CHECK_MS', default: '10000', help: 're-check streams\' idle state this often' },
  'admin-timeout-ms': { type: integer(100), env: 'SCALER_ADMIN_TIMEOUT_MS', default: '5000', help: 'Pulsar admin request timeout' },
} as const;

export type ScalerFlags = Values<typeof SCALER_FLAGS>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

export function usage(): string {
  return ['usage: scaler [flags]', ...usageLines(SCALER_FLAGS)].join('\n');
}

export function parseScalerFlags(argv: readonly string[], env: Record<string, string | undefined>): ScalerFlags | 'help' {
  const args = readArgs(argv, flagsOf(SCALER_FLAGS));
  if (args.help && !args.problems.length) return 'help';
  const problems = args.problems;
  const flags = readSettings(SCALER_FLAGS, { lookup: flagOrEnv(args.values, env), naming: 'flag', problems });
  validate(flags, problems);
  if (problems.length) throw new ConfigError(problems);
  return flags;
}

function validate(flags: ScalerFlags, problems: string[]): void {
  if (Boolean(flags['tls-cert']) !== Boolean(flags['tls-key'])) problems.push('--tls-cert and --tls-key go together: set both or neither');
  if (flags['tls-client-ca'] && !flags['tls-cert']) problems.push('--tls-client-ca needs --tls-cert and --tls-key: mTLS is served over TLS');
}
