// The scaler process: `tsx scaler/main.ts [flags]`, every flag with an env fallback (scaler/config.ts).
import { createLogger } from '../process/logger.js';
import { onShutdown } from '../process/shutdown.js';
import { startScaler, type ScalerConfig } from './app.js';
import { ConfigError, parseScalerFlags, usage, type ScalerFlags } from './config.js';

let flags: ScalerFlags | 'help';
try {
  flags = parseScalerFlags(process.argv.slice(2), process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(`scaler: invalid configuration:\n  - ${err.problems.join('\n  - ')}\n\n${usage()}`);
  process.exit(2);
}
if (flags === 'help') {
  console.log(usage());
  process.exit(0);
}

const log = createLogger('scaler');
const config: ScalerConfig = {
  grpcPort: flags.port,
  opsPort: flags['ops-port'],
  host: flags.host,
  tls: flags['tls-cert'] ? { certFile: flags['tls-cert'], keyFile: flags['tls-key']!, clientCaFile: flags['tls-client-ca'] } : undefined,
  credentials: { tokenFile: flags['token-file'], tokensFile: flags['tokens-file'], token: flags.token },
  defaultAdminUrl: flags['admin-url'],
  pulsarCaFile: flags['pulsar-ca-file'],
  backlogMode: flags['backlog-source'],
  freshMs: flags['fresh-ms'],
  listFreshMs: flags['list-fresh-ms'],
  checkMs: flags['check-ms'],
  activationTransport: flags['activation-transport'],
  adminTimeoutMs: flags['admin-timeout-ms'],
  log,
};

try {
  const scaler = await startScaler(config);
  onShutdown(log, [{ name: 'scaler', run: () => scaler.close() }]);
} catch (err) {
  log.fatal({ err: (err as Error).message }, 'scaler failed to start');
  process.exit(1);
}
