// The runners' command lines, as Function Mesh writes them, so existing functions and connectors
// run unchanged. The command is a `bash -c` (generic runners: `sh -c`) script because the
// instance id and the Pulsar URLs are only known in the pod: setup steps, then `exec` the runner.
import type { WorkloadResource } from '../api/index.js';
import { functionDetails, type RunnerLanguage } from './function-details.js';
import { GO_CONF_SETUP, goInstanceConfWord } from './go-instance-conf.js';
import { runnerAuthArgs, runnerTlsArgs } from './pulsar-connection.js';
import { pulsarIdentity } from './pulsar-identity.js';
import { parseQuantity } from './quantity.js';
import type { LoggingPlan } from './runner-logging.js';
import type { RunnerRuntime } from './runner-plan.js';
import { GRPC_PORT, METRICS_PORT } from './runner-ports.js';
import { envRef, shellQuote } from './shell.js';

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

export interface RunnerCommand {
  shell: 'bash' | 'sh';
  /** Shell commands run first, in order: the instance id, then writing a log config. */
  setup: string[];
  /** The runner's command line as shell words, run with `exec`. */
  exec: string[];
}

/** The `-c` script: the setup steps, then `exec` of the runner. */
export function commandScript({ setup, exec }: RunnerCommand): string {
  return [...setup, ['exec', ...exec].join(' ')].join(' && ');
}

/**
 * The instance id Pulsar expects (an int). A StatefulSet pod ends in its ordinal; a Deployment
 * pod always ends in 5 random characters of [b-z2-9] (the dash before them may be cut off when
 * the name is long), read here as a base-36 number: unique among live pods, stable for the pod's
 * life, below 2^31.
 */
export function instanceIdScript(stateful: boolean): string {
  return stateful ? 'SHARD_ID="${POD_NAME##*-}"' : 'SHARD_ID="$((36#${POD_NAME: -5}))"';
}

export function runnerCommand(resource: WorkloadResource, runtime: RunnerRuntime, packagePath: string, stateful: boolean): RunnerCommand {
  const id = functionId(resource);
  const instanceId = instanceIdScript(stateful);
  switch (runtime.name) {
    case 'java':
      return { shell: 'bash', setup: withLogConfig(instanceId, runtime.logging), exec: javaExec(resource, runtime, packagePath, id) };
    case 'python':
      return { shell: 'bash', setup: withLogConfig(instanceId, runtime.logging), exec: pythonExec(resource, runtime, packagePath, id) };
    case 'go':
      return { shell: 'bash', setup: [instanceId, ...GO_CONF_SETUP], exec: [shellQuote(packagePath), '-instance-conf', goInstanceConfWord(runtime.fn, id)] };
    case 'generic':
      return { shell: 'sh', setup: [instanceId], exec: genericExec(resource, runtime, packagePath, id) };
  }
}

function withLogConfig(instanceId: string, logging: LoggingPlan): string[] {
  return logging.writeConfig ? [instanceId, logging.writeConfig] : [instanceId];
}

function functionId(resource: WorkloadResource): string {
  return resource.metadata.uid || `${resource.metadata.namespace ?? 'default'}-${resource.metadata.name ?? ''}`;
}

/** `--secrets_provider` when `secretsMap` has entries and the runner has a provider. */
function secretsProviderArgs(resource: WorkloadResource, provider: string | undefined): string[] {
  const secrets = resource.spec.secretsMap;
  return provider && secrets && Object.keys(secrets).length ? ['--secrets_provider', provider] : [];
}

/** Flags the Java and Python runners share (Function Mesh's getSharedArgs), as shell words. */
function sharedArgs(resource: WorkloadResource, runtime: RunnerLanguage, id: string): string[] {
  const spec = resource.spec;
  return [
    '--instance_id', '"${SHARD_ID}"',
    '--function_id', `"\${SHARD_ID}"-${shellQuote(id)}`,
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

function javaExec(resource: WorkloadResource, { java, logging }: Extract<RunnerRuntime, { name: 'java' }>, jar: string, id: string): string[] {
  const spec = resource.spec;
  const name = pulsarIdentity(resource).name;
  let classpath = `${java.instancePath || JAVA_INSTANCE_PATH}:$(echo /pulsar/lib/com.fasterxml.jackson.dataformat-jackson-dataformat-yaml-*.jar):$(echo /pulsar/lib/org.yaml-snakeyaml-*.jar)`;
  if (java.extraDependenciesDir) classpath += `:${java.extraDependenciesDir.replace(/\/+$/, "")}/*`;
  // Function Mesh gives direct memory a fifth of the memory limit (heap: 70%).
  const memoryLimit = parseQuantity(spec.resources?.limits?.memory);
  return [
    'java', '-cp', classpath,
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
    ...sharedArgs(resource, 'JAVA', id),
    ...(runsConnector(resource) ? ['--connectors_directory', CONNECTORS_DIR] : []),
    ...secretsProviderArgs(resource, JAVA_SECRETS_PROVIDER),
    ...stateArgs(resource, true),
    ...(resource.kind === 'Function' && resource.spec.maxPendingAsyncRequests
      ? ['--pending_async_requests', String(resource.spec.maxPendingAsyncRequests)]
      : []),
  ];
}

/**
 * Upstream passes the connectors directory only to functions with an embedded source or sink
 * connector (a flag of the StreamNative runners); Apache's runner rejects unknown flags.
 */
function runsConnector(resource: WorkloadResource): boolean {
  return resource.kind === 'Function' && Boolean(resource.spec.sourceConfig || resource.spec.sinkConfig);
}

function pythonExec(resource: WorkloadResource, { logging }: Extract<RunnerRuntime, { name: 'python' }>, py: string, id: string): string[] {
  return [
    'python', PYTHON_INSTANCE_MAIN,
    '--py', shellQuote(py),
    '--logging_directory', 'logs/functions',
    '--logging_file', shellQuote(pulsarIdentity(resource).name),
    '--logging_config_file', logging.configFile,
    '--install_usercode_dependencies', 'true',
    ...sharedArgs(resource, 'PYTHON', id),
    ...secretsProviderArgs(resource, PYTHON_SECRETS_PROVIDER),
    ...stateArgs(resource, false),
  ];
}

function genericExec(resource: WorkloadResource, { generic }: Extract<RunnerRuntime, { name: 'generic' }>, file: string, id: string): string[] {
  return [
    'pulsar_rust_instance',
    '--function_file', shellQuote(file),
    '--language', shellQuote(generic.language),
    ...sharedArgs(resource, generic.language === 'python' ? 'PYTHON' : 'JAVA', id),
    ...secretsProviderArgs(resource, GENERIC_SECRETS_PROVIDERS[generic.language]),
    ...stateArgs(resource, false),
  ];
}
