// The main container of the Function Mesh compatible runtimes: Pulsar's runner images started
// with Function Mesh's command lines (Java, Python, Go, generic), so existing functions and
// connectors run unchanged. The command is a `bash -c` script because the instance id and the
// Pulsar URLs are only known in the pod.
import type { V1Container, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { FunctionResource, WorkloadResource } from '../api/index.js';
import type { RenderSettings } from './context.js';
import { RESTRICTED_CONTAINER, defined, livenessProbe, mainContainerEnv, startupProbe, userVolumeMounts } from './container-parts.js';
import { functionDetails, type RunnerLanguage } from './function-details.js';
import { goInstanceConfWord } from './go-instance-conf.js';
import { mainContainerName } from './names.js';
import { planPackage, type PackagePlan } from './package-download.js';
import { RUNTIME_MOUNTS, connectionFiles, pulsarEnvFrom, runnerAuthArgs, runnerTlsArgs, volumeName } from './pulsar-connection.js';
import { pulsarIdentity } from './pulsar-identity.js';
import { parseQuantity } from './quantity.js';
import { javaLogging, pythonLogging, type LoggingPlan } from './runner-logging.js';
import { envRef, shellQuote } from './shell.js';
import type { RuntimeParts } from './runtime-parts.js';

export const GRPC_PORT = 9093;
export const METRICS_PORT = 9094;

const JAVA_INSTANCE_PATH = '/pulsar/instances/java-instance.jar';
const JAVA_ENTRY_CLASS = 'org.apache.pulsar.functions.instance.JavaInstanceMain';
const PYTHON_INSTANCE_MAIN = '/pulsar/instances/python-instance/python_instance_main.py';
const CONNECTORS_DIR = '/pulsar/connectors';
const JAVA_SECRETS_PROVIDER = 'org.apache.pulsar.functions.secretsprovider.EnvironmentBasedSecretsProvider';
const PYTHON_SECRETS_PROVIDER = 'secretsprovider.EnvironmentBasedSecretsProvider';
const GENERIC_SECRETS_PROVIDERS: Record<string, string> = {
  python: 'secrets_provider.EnvironmentBasedSecretsProvider',
  nodejs: 'EnvironmentBasedSecretsProvider',
};

/**
 * The instance id Pulsar expects (an int). A StatefulSet pod ends in its ordinal; a Deployment
 * pod always ends in 5 random characters of [b-z2-9] (the dash before them may be cut off when
 * the name is long), read here as a base-36 number: unique among live pods, stable for the pod's
 * life, below 2^31.
 */
export function instanceIdScript(stateful: boolean): string {
  return stateful ? 'SHARD_ID="${POD_NAME##*-}"' : 'SHARD_ID="$((36#${POD_NAME: -5}))"';
}

/** What differs between the runner runtimes; the rest of the container is shared. */
interface RunnerPlan {
  pkg: PackagePlan;
  logging?: LoggingPlan;
  shell: 'bash' | 'sh';
  script: string;
  image: string;
}

export function renderRunner(resource: WorkloadResource, settings: RenderSettings, stateful: boolean): RuntimeParts | undefined {
  const plan = runnerPlan(resource, settings, stateful);
  return plan && runnerParts(resource, plan);
}

function runnerPlan(resource: WorkloadResource, settings: RenderSettings, stateful: boolean): RunnerPlan | undefined {
  const spec = resource.spec;
  if (spec.java) {
    const pkg = planPackage(resource, spec.java.jar, spec.java.jarLocation, settings);
    const logging = javaLogging(spec.java.log);
    return { pkg, logging, shell: 'bash', script: javaScript(resource, pkg.path, logging, stateful), image: settings.runnerImages.java };
  }
  if (spec.python) {
    const pkg = planPackage(resource, spec.python.py, spec.python.pyLocation, settings);
    const logging = pythonLogging(spec.python.log);
    return { pkg, logging, shell: 'bash', script: pythonScript(resource, pkg.path, logging, stateful), image: settings.runnerImages.python };
  }
  if (spec.golang && resource.kind === 'Function') {
    const pkg = planPackage(resource, spec.golang.go, spec.golang.goLocation, settings, true);
    return { pkg, shell: 'bash', script: goScript(resource, pkg.path, stateful), image: settings.runnerImages.go };
  }
  if (spec.genericRuntime) {
    const g = spec.genericRuntime;
    const pkg = planPackage(resource, g.functionFile, g.functionFileLocation, settings);
    const image = settings.genericRunnerImages[g.language] ?? settings.runnerImages.java;
    return { pkg, shell: 'sh', script: genericScript(resource, pkg.path, stateful), image };
  }
  return undefined;
}

function runnerParts(resource: WorkloadResource, { pkg, logging, shell, script, image }: RunnerPlan): RuntimeParts {
  const spec = resource.spec;
  const files = connectionFiles(spec.pulsar, RUNTIME_MOUNTS);
  const crypto = cryptoFiles(resource);
  const env = mainContainerEnv(resource);
  const goLevel = spec.golang?.log?.level;
  if (spec.golang) env.push({ name: 'LOGGING_LEVEL', value: goLevel && !spec.golang.log?.logConfig ? goLevel : 'info' });
  const mounts: V1VolumeMount[] = [
    ...userVolumeMounts(resource),
    ...files.mounts,
    ...crypto.mounts,
    ...(logging?.mounts ?? []),
    ...(pkg.mount ? [pkg.mount] : []),
  ];
  const container: V1Container = defined({
    name: mainContainerName(resource),
    image: spec.image || image,
    imagePullPolicy: spec.imagePullPolicy ?? 'IfNotPresent',
    command: [shell, '-c', script],
    ports: [
      { name: 'tcp-grpc', containerPort: GRPC_PORT, protocol: 'TCP' },
      { name: 'http-metrics', containerPort: METRICS_PORT, protocol: 'TCP' },
    ],
    env,
    envFrom: pulsarEnvFrom(spec.pulsar),
    resources: spec.resources as V1Container['resources'],
    volumeMounts: mounts,
    livenessProbe: livenessProbe(resource, { httpGet: { path: '/', port: METRICS_PORT, scheme: 'HTTP' } }),
    startupProbe: startupProbe(resource),
    securityContext: RESTRICTED_CONTAINER,
  });
  return {
    containers: [container],
    initContainers: pkg.initContainer ? [pkg.initContainer] : [],
    volumes: [...files.volumes, ...crypto.volumes, ...(logging?.volumes ?? []), ...pkg.volumes],
    servicePorts: [
      { name: 'tcp-grpc', port: GRPC_PORT, targetPort: GRPC_PORT, protocol: 'TCP' },
      { name: 'http-metrics', port: METRICS_PORT, targetPort: METRICS_PORT, protocol: 'TCP' },
    ],
    metricsPort: METRICS_PORT,
    // The runner images run as user 10000 (Function Mesh's default pod security context).
    podSecurityContext: { runAsNonRoot: true, runAsUser: 10000, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
  };
}

function functionId(resource: WorkloadResource): string {
  return resource.metadata.uid || `${resource.metadata.namespace ?? 'default'}-${resource.metadata.name ?? ''}`;
}

/** Flags the Java and Python runners share (Function Mesh's getSharedArgs), as shell words. */
function sharedArgs(resource: WorkloadResource, runtime: RunnerLanguage): string[] {
  const spec = resource.spec;
  return [
    '--instance_id', '"${SHARD_ID}"',
    '--function_id', `"\${SHARD_ID}"-${shellQuote(functionId(resource))}`,
    '--function_version', '0',
    '--function_details', shellQuote(JSON.stringify(functionDetails(resource, runtime))),
    '--pulsar_serviceurl', envRef('brokerServiceURL'),
    '--max_buffered_tuples', '100',
    '--port', String(GRPC_PORT),
    '--metrics_port', String(METRICS_PORT),
    // The runner's own health check stops an instance nobody pings; Kubernetes probes instead.
    '--expected_healthcheck_interval', '0',
    '--cluster_name', shellQuote(spec.clusterName ?? 'kubernetes'),
    ...runnerAuthArgs(spec.pulsar),
    ...runnerTlsArgs(spec.pulsar, runtime === 'PYTHON'),
  ];
}

function stateArgs(resource: WorkloadResource, java: boolean): string[] {
  const state = resource.spec.statefulConfig?.pulsar;
  if (!state?.serviceUrl) return [];
  const args = ['--state_storage_serviceurl', shellQuote(state.serviceUrl)];
  if (java && state.javaProvider) args.push('--state_storage_impl_class', shellQuote(state.javaProvider.className));
  return args;
}

function javaScript(resource: WorkloadResource, jar: string, logging: LoggingPlan, stateful: boolean): string {
  const spec = resource.spec;
  const java = spec.java!;
  const name = pulsarIdentity(resource).name;
  let classpath = `${java.instancePath || JAVA_INSTANCE_PATH}:$(echo /pulsar/lib/com.fasterxml.jackson.dataformat-jackson-dataformat-yaml-*.jar):$(echo /pulsar/lib/org.yaml-snakeyaml-*.jar)`;
  if (java.extraDependenciesDir) classpath += `:${java.extraDependenciesDir.replace(/\/+$/, "")}/*`;
  // Function Mesh gives direct memory a fifth of the memory limit (heap: 70%).
  const memoryLimit = parseQuantity(spec.resources?.limits?.memory);
  const words = [
    'exec', 'java', '-cp', classpath,
    shellQuote('-Dpulsar.functions.instance.classpath=/pulsar/lib/*'),
    `-Dlog4j.configurationFile=${logging.configFile}`,
    '-Dpulsar.function.log.dir=logs/functions',
    `${shellQuote(`-Dpulsar.function.log.file=${name}-`)}"\${SHARD_ID}"`,
    '-Dpulsar.allocator.exit_on_oom=true',
    ...(logging.level ? [`-Dpulsar.log.level=${logging.level}`, `-Dbk.log.level=${logging.level}`] : []),
    '-XX:MaxRAMPercentage=70',
    ...(memoryLimit ? [`-XX:MaxDirectMemorySize=${Math.floor(memoryLimit / 5)}`] : []),
    '-XX:+UseG1GC',
    '-XX:+HeapDumpOnOutOfMemoryError',
    '-XX:HeapDumpPath=/pulsar/tmp/heapdump-%p.hprof',
    '-XX:+ExitOnOutOfMemoryError',
    // Each javaOpts entry is passed as written (an entry may hold several options), as upstream.
    ...(java.javaOpts ?? []),
    java.entryClass || JAVA_ENTRY_CLASS,
    '--jar', shellQuote(jar),
    ...sharedArgs(resource, 'JAVA'),
    ...(runsConnector(resource) ? ['--connectors_directory', CONNECTORS_DIR] : []),
    ...(spec.secretsMap && Object.keys(spec.secretsMap).length ? ['--secrets_provider', JAVA_SECRETS_PROVIDER] : []),
    ...stateArgs(resource, true),
    ...(resource.kind === 'Function' && resource.spec.maxPendingAsyncRequests
      ? ['--pending_async_requests', String(resource.spec.maxPendingAsyncRequests)]
      : []),
  ];
  return `${instanceIdScript(stateful)} && ${logging.writeConfig}${words.join(' ')}`;
}

/**
 * Upstream passes the connectors directory only to functions with an embedded source or sink
 * connector (a flag of the StreamNative runners); Apache's runner rejects unknown flags.
 */
function runsConnector(resource: WorkloadResource): boolean {
  return resource.kind === 'Function' && Boolean(resource.spec.sourceConfig || resource.spec.sinkConfig);
}

function pythonScript(resource: WorkloadResource, py: string, logging: LoggingPlan, stateful: boolean): string {
  const spec = resource.spec;
  const words = [
    'exec', 'python', PYTHON_INSTANCE_MAIN,
    '--py', shellQuote(py),
    '--logging_directory', 'logs/functions',
    '--logging_file', shellQuote(pulsarIdentity(resource).name),
    '--logging_config_file', logging.configFile,
    '--install_usercode_dependencies', 'true',
    ...sharedArgs(resource, 'PYTHON'),
    ...(spec.secretsMap && Object.keys(spec.secretsMap).length ? ['--secrets_provider', PYTHON_SECRETS_PROVIDER] : []),
    ...stateArgs(resource, false),
  ];
  return `${instanceIdScript(stateful)} && ${logging.writeConfig}${words.join(' ')}`;
}

function goScript(resource: WorkloadResource, binary: string, stateful: boolean): string {
  const conf = goInstanceConfWord(resource as FunctionResource, functionId(resource));
  return `${instanceIdScript(stateful)} && exec ${shellQuote(binary)} -instance-conf ${conf}`;
}

function genericScript(resource: WorkloadResource, file: string, stateful: boolean): string {
  const spec = resource.spec;
  const g = spec.genericRuntime!;
  const provider = GENERIC_SECRETS_PROVIDERS[g.language];
  const words = [
    'exec', 'pulsar_rust_instance',
    '--function_file', shellQuote(file),
    '--language', shellQuote(g.language),
    ...sharedArgs(resource, g.language === 'python' ? 'PYTHON' : 'JAVA'),
    ...(provider && spec.secretsMap && Object.keys(spec.secretsMap).length ? ['--secrets_provider', provider] : []),
    ...stateArgs(resource, false),
  ];
  return `${instanceIdScript(stateful)} && ${words.join(' ')}`;
}

/** End-to-end encryption keys mounted from Secrets where the consumer/producer config asks. */
function cryptoFiles(resource: WorkloadResource): { volumes: V1Volume[]; mounts: V1VolumeMount[] } {
  const configs = [
    ...Object.values((resource.kind === 'Source' ? undefined : resource.spec.input)?.sourceSpecs ?? {}).map((c) => c.cryptoConfig),
    resource.kind === 'Sink' ? undefined : resource.spec.output?.producerConf?.cryptoConfig,
  ];
  const volumes: V1Volume[] = [];
  const mounts: V1VolumeMount[] = [];
  for (const secret of configs.flatMap((c) => c?.cryptoSecrets ?? [])) {
    const name = volumeName(`${secret.secretName}-${secret.secretKey}`);
    volumes.push({ name, secret: { secretName: secret.secretName, items: [{ key: secret.secretKey, path: secret.secretKey }] } });
    if (secret.asVolume) mounts.push({ name, mountPath: secret.asVolume, readOnly: true });
  }
  return { volumes, mounts };
}
