// The controller's settings: command-line flags, each with an environment fallback (for the
// Deployment manifest) and a default, in one table. Bad values fail at start with the flag and the fix.
import { Rejection, flagOrEnv, flagsOf, readArgs, readSettings, usageLines, type ValueType } from '../process/config-table.js';
import { boolean, file, integer, text } from '../process/config-values.js';

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
  /** Image of the init container that downloads function://, source://, sink:// and http(s) packages. */
  downloaderImage: string | undefined;
  runnerImages: { java?: string; python?: string; go?: string };
  /** Upstream's operator config file (YAML), watched: a change re-renders every resource. */
  configFile: string | undefined;
  /** Add upstream's preferred pod anti-affinity (replicas on different nodes) unless a resource disables it. */
  defaultAffinity: boolean;
  /** The BackendConfigs applied to every workload (upstream's flags); empty names turn one off. */
  backendConfigs: { global: { namespace: string; name: string } | undefined; namespacedName: string | undefined };
  /** Seconds between asking which optional kinds (KEDA, the VPA) the cluster serves. */
  discoveryIntervalSeconds: number;
  /** Upstream's --pause-rollout: existing children are updated only when a resource's spec changes. */
  pauseRollout: boolean;
  logLevel: string;
  /** Identity in the Lease and in Events. */
  instance: string;
}

const hostPort: ValueType<string> = {
  hint: '<host:port>',
  parse: (raw) => (/^[^\s:/]+:\d{1,5}$/.test(raw) ? raw : new Rejection('must be host:port')),
};

/** Turns a BackendConfig flag off. Upstream's empty value reads as "not given" (the default) here. */
const OFF = 'none';

const FLAGS = {
  'ops-port': { type: integer(0, 65535), env: 'FM_OPS_PORT', default: '8080', help: 'port of /healthz, /readyz and /metrics' },
  'leader-elect': { type: boolean, env: 'FM_LEADER_ELECT', default: 'true', help: 'elect one writer among replicas via a Lease' },
  'lease-namespace': { type: text, env: 'POD_NAMESPACE', default: 'functionmesh-system', help: 'namespace of the leader-election Lease' },
  'lease-name': { type: text, env: 'FM_LEASE_NAME', default: 'functionmesh-controller', help: 'name of the leader-election Lease' },
  'watch-namespace': { type: text, env: 'FM_WATCH_NAMESPACE', help: 'reconcile only this namespace', derivedDefault: 'all' },
  workers: { type: integer(1, 64), env: 'FM_WORKERS', default: '8', help: 'concurrent reconciles per kind' },
  'scaler-address': { type: hostPort, env: 'FM_SCALER_ADDRESS', default: 'functionmesh-scaler.functionmesh-system.svc:9090', help: 'the KEDA external scaler, rendered into ScaledObjects' },
  'bridge-image': { type: text, env: 'FM_BRIDGE_IMAGE', help: 'image of the CloudEvents bridge beside http functions' },
  'downloader-image': { type: text, env: 'FM_DOWNLOADER_IMAGE', help: 'default image of the init container that downloads packages (function://, http://)' },
  'java-runner-image': { type: text, env: 'FM_JAVA_RUNNER_IMAGE', help: 'default image of Java functions' },
  'python-runner-image': { type: text, env: 'FM_PYTHON_RUNNER_IMAGE', help: 'default image of Python functions' },
  'go-runner-image': { type: text, env: 'FM_GO_RUNNER_IMAGE', help: 'default image of Go functions' },
  'config-file': { type: file, env: 'FM_CONFIG_FILE', help: "upstream's operator config (runnerImages, runnerImagePullSecrets, imagePullPolicy, resourceLabels, resourceAnnotations); re-read on change; the image flags win over it" },
  'default-affinity': { type: boolean, env: 'FM_DEFAULT_AFFINITY', default: 'true', help: 'replicas prefer different nodes unless spec.pod.disableDefaultAffinity' },
  'global-backend-config': { type: text, env: 'GLOBAL_BACKEND_CONFIG', default: 'global-backend-config', help: "name of the BackendConfig applied to every Function, Source and Sink (upstream chart's default); none: no global one" },
  'global-backend-config-namespace': { type: text, env: 'GLOBAL_BACKEND_CONFIG_NAMESPACE', default: 'default', help: 'namespace of the global BackendConfig' },
  'namespaced-backend-config': { type: text, env: 'NAMESPACED_BACKEND_CONFIG', default: 'backend-config', help: "name of the BackendConfig applied to the workloads of its own namespace (over the global one); none: no namespaced one" },
  'discovery-interval': { type: integer(1, 3600), env: 'FM_DISCOVERY_INTERVAL', default: '30', help: 'seconds between asking which optional kinds (KEDA, the VPA) are served; one installed later is then watched' },
  'pause-rollout': { type: boolean, env: 'FM_PAUSE_ROLLOUT', default: 'false', help: 'update existing children only for a new spec, never for a controller or config change alone (per resource: the compute.functionmesh.io/pause-rollout annotation)' },
  'log-level': { type: text, env: 'LOG_LEVEL', default: 'info', help: 'trace|debug|info|warn|error' },
  instance: { type: text, env: 'POD_NAME', help: 'this replica\'s name in the Lease and in Events', derivedDefault: 'the hostname' },
} as const;

export function usage(): string {
  return ['usage: node controller/main.js [flags]', ...usageLines(FLAGS)].join('\n');
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function parseConfig(argv: string[], env: NodeJS.ProcessEnv, hostname: string): ControllerConfig | 'help' {
  const args = readArgs(argv, flagsOf(FLAGS));
  if (args.help && !args.problems.length) return 'help';
  const problems: string[] = [];
  const v = readSettings(FLAGS, { lookup: flagOrEnv(args.values, env), naming: 'flag', problems });
  // A mistyped flag also shows the usage; a bad value is named alone.
  if (args.problems.length) throw new ConfigError([...args.problems, ...problems, usage()].join('\n'));
  if (problems.length) throw new ConfigError(problems.join('\n'));
  return {
    opsPort: v['ops-port'],
    leaderElect: v['leader-elect'],
    leaseNamespace: v['lease-namespace'],
    leaseName: v['lease-name'],
    watchNamespace: v['watch-namespace'],
    workers: v.workers,
    scalerAddress: v['scaler-address'],
    bridgeImage: v['bridge-image'],
    downloaderImage: v['downloader-image'],
    runnerImages: { java: v['java-runner-image'], python: v['python-runner-image'], go: v['go-runner-image'] },
    configFile: v['config-file'],
    defaultAffinity: v['default-affinity'],
    backendConfigs: {
      global: v['global-backend-config'] === OFF ? undefined : { namespace: v['global-backend-config-namespace'], name: v['global-backend-config'] },
      namespacedName: v['namespaced-backend-config'] === OFF ? undefined : v['namespaced-backend-config'],
    },
    discoveryIntervalSeconds: v['discovery-interval'],
    pauseRollout: v['pause-rollout'],
    logLevel: v['log-level'],
    instance: v.instance ?? hostname,
  };
}
