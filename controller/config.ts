// The controller's settings: command-line flags, each with an environment fallback (for the
// Deployment manifest) and a default. Bad values fail at start with the flag and the fix.
import { parseArgs } from 'node:util';

export interface ControllerConfig {
  opsPort: number;
  leaderElect: boolean;
  leaseNamespace: string;
  leaseName: string;
  /** Empty: every namespace. */
  watchNamespace: string | undefined;
  workers: number;
  scalerAddress: string;
  bridgeImage: string | undefined;
  runnerImages: { java?: string; python?: string; go?: string };
  /** Add upstream's preferred pod anti-affinity (replicas on different nodes) unless a resource disables it. */
  defaultAffinity: boolean;
  logLevel: string;
  /** Identity in the Lease and in Events. */
  instance: string;
}

const FLAGS = {
  'ops-port': { env: 'FM_OPS_PORT', default: '8080', help: 'port of /healthz, /readyz and /metrics' },
  'leader-elect': { env: 'FM_LEADER_ELECT', default: 'true', help: 'true|false: elect one writer among replicas via a Lease' },
  'lease-namespace': { env: 'POD_NAMESPACE', default: 'functionmesh-system', help: 'namespace of the leader-election Lease' },
  'lease-name': { env: 'FM_LEASE_NAME', default: 'functionmesh-controller', help: 'name of the leader-election Lease' },
  'watch-namespace': { env: 'FM_WATCH_NAMESPACE', default: '', help: 'reconcile only this namespace (default: all)' },
  workers: { env: 'FM_WORKERS', default: '8', help: 'concurrent reconciles per kind' },
  'scaler-address': { env: 'FM_SCALER_ADDRESS', default: 'functionmesh-scaler.functionmesh-system.svc:9090', help: 'host:port of the KEDA external scaler, rendered into ScaledObjects' },
  'bridge-image': { env: 'FM_BRIDGE_IMAGE', default: '', help: 'image of the CloudEvents bridge beside http functions' },
  'java-runner-image': { env: 'FM_JAVA_RUNNER_IMAGE', default: '', help: 'default image of Java functions' },
  'python-runner-image': { env: 'FM_PYTHON_RUNNER_IMAGE', default: '', help: 'default image of Python functions' },
  'go-runner-image': { env: 'FM_GO_RUNNER_IMAGE', default: '', help: 'default image of Go functions' },
  'default-affinity': { env: 'FM_DEFAULT_AFFINITY', default: 'true', help: 'true|false: replicas prefer different nodes unless spec.pod.disableDefaultAffinity' },
  'log-level': { env: 'LOG_LEVEL', default: 'info', help: 'trace|debug|info|warn|error' },
  instance: { env: 'POD_NAME', default: '', help: 'this replica\'s name in the Lease and in Events (default: hostname)' },
} as const;

type Flag = keyof typeof FLAGS;

export function usage(): string {
  return ['usage: node controller/main.js [flags]', ...Object.entries(FLAGS).map(([f, d]) => `  --${f.padEnd(20)} ${d.help} (env ${d.env}, default "${d.default}")`)].join('\n');
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function parseConfig(argv: string[], env: NodeJS.ProcessEnv, hostname: string): ControllerConfig | 'help' {
  const options = Object.fromEntries(Object.keys(FLAGS).map((f) => [f, { type: 'string' as const }]));
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}\n${usage()}`);
  }
  if (values.help) return 'help';
  const get = (f: Flag): string => (values[f] as string | undefined) ?? env[FLAGS[f].env] ?? FLAGS[f].default;
  const int = (f: Flag, min: number, max: number): number => {
    const v = Number(get(f));
    if (!Number.isInteger(v) || v < min || v > max) throw new ConfigError(`--${f} (env ${FLAGS[f].env}) must be an integer from ${min} to ${max}, got "${get(f)}"`);
    return v;
  };
  const bool = (f: Flag): boolean => {
    const v = get(f).toLowerCase();
    if (v !== 'true' && v !== 'false') throw new ConfigError(`--${f} (env ${FLAGS[f].env}) must be true or false, got "${get(f)}"`);
    return v === 'true';
  };
  const scalerAddress = get('scaler-address');
  if (!/^[^\s:/]+:\d{1,5}$/.test(scalerAddress)) throw new ConfigError(`--scaler-address (env FM_SCALER_ADDRESS) must be host:port, got "${scalerAddress}"`);
  const optional = (f: Flag) => get(f) || undefined;
  return {
    opsPort: int('ops-port', 0, 65535),
    leaderElect: bool('leader-elect'),
    leaseNamespace: get('lease-namespace'),
    leaseName: get('lease-name'),
    watchNamespace: optional('watch-namespace'),
    workers: int('workers', 1, 64),
    scalerAddress,
    bridgeImage: optional('bridge-image'),
    runnerImages: { java: optional('java-runner-image'), python: optional('python-runner-image'), go: optional('go-runner-image') },
    defaultAffinity: bool('default-affinity'),
    logLevel: get('log-level'),
    instance: get('instance') || hostname,
  };
}
