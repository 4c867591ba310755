// A Function, Source or Sink on one of Pulsar's runner images, resolved once into a plain value:
// the runtime and its image, the command, the package download, the env, the files to mount and
// the ports. The spec is read here and nowhere after: runner-container.ts only lays the plan out.
import type { V1EnvVar, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type {
  FunctionResource,
  GenericRuntimeSpec,
  GoRuntimeSpec,
  JavaRuntimeSpec,
  PythonRuntimeSpec,
  WorkloadResource,
} from '../api/index.js';
import { mainContainerEnv } from './container-parts.js';
import type { RenderSettings } from './context.js';
import { planPackage, type PackagePlan } from './package-download.js';
import type { Problems } from './problems.js';
import { RUNTIME_MOUNTS, connectionFiles, volumeName, type SecretFiles } from './pulsar-connection.js';
import { runnerCommand, type RunnerCommand } from './runner-command.js';
import { javaLogging, pythonLogging, type LoggingPlan } from './runner-logging.js';
import { GRPC_PORT, METRICS_PORT } from './runner-ports.js';

/** The runtime the spec names, with what only that runtime reads. */
export type RunnerRuntime =
  | { name: 'java'; java: JavaRuntimeSpec; logging: LoggingPlan }
  | { name: 'python'; python: PythonRuntimeSpec; logging: LoggingPlan }
  // The Go runner runs Functions only; its -instance-conf reads the Function's fields.
  | { name: 'go'; fn: FunctionResource; golang: GoRuntimeSpec }
  | { name: 'generic'; generic: GenericRuntimeSpec };

export interface RunnerPlan {
  runtime: RunnerRuntime;
  image: string;
  imagePullPolicy: string;
  command: RunnerCommand;
  /** The package the runner runs: already in the image, or fetched by an init container. */
  package: PackagePlan;
  env: V1EnvVar[];
  /** Mounted besides the package: the Pulsar TLS CA and OAuth2 key, crypto keys, a log config. */
  files: SecretFiles;
  ports: { grpc: number; metrics: number };
}

/** Undefined, with the problem reported, when the spec names no runtime a runner can run. */
export function runnerPlan(resource: WorkloadResource, settings: RenderSettings, stateful: boolean, problems: Problems): RunnerPlan | undefined {
  const code = runnerCode(resource, settings, problems);
  if (resource.kind === 'Function') warnUnusedSlidingInterval(resource, problems);
  if (!code) return undefined;
  const { runtime } = code;
  const pkg = planPackage(resource, code.file, code.location, settings, runtime.name === 'go');
  const logging = runtime.name === 'java' || runtime.name === 'python' ? runtime.logging : undefined;
  const connection = connectionFiles(resource.spec.pulsar, RUNTIME_MOUNTS);
  const crypto = cryptoFiles(resource);
  return {
    runtime,
    image: resource.spec.image || code.image,
    imagePullPolicy: resource.spec.imagePullPolicy ?? settings.imagePullPolicy ?? 'IfNotPresent',
    command: runnerCommand(resource, runtime, pkg.path, stateful),
    package: pkg,
    env: [...mainContainerEnv(resource), ...(runtime.name === 'go' ? [goLoggingLevel(runtime.golang)] : [])],
    files: {
      volumes: [...connection.volumes, ...crypto.volumes, ...(logging?.volumes ?? [])],
      mounts: [...connection.mounts, ...crypto.mounts, ...(logging?.mounts ?? [])],
    },
    ports: { grpc: GRPC_PORT, metrics: METRICS_PORT },
  };
}

/**
 * Upstream accepts both sliding intervals (its webhook even adds the duration one to a duration
 * window that slides by count); Pulsar's window executor then slides by count. Both are passed
 * on as written, and the one that does nothing is named.
 */
function warnUnusedSlidingInterval(resource: FunctionResource, problems: Problems): void {
  const window = resource.spec.windowConfig;
  if (window?.slidingIntervalCount === undefined || window.slidingIntervalDurationMs === undefined) return;
  problems.warn('spec.windowConfig.slidingIntervalDurationMs', "unused: with slidingIntervalCount set, Pulsar's window executor slides by count; remove one of them");
}

interface RunnerCode {
  runtime: RunnerRuntime;
  /** The runtime's default image (`spec.image` wins). */
  image: string;
  /** The package: its file name in the runner, and where it comes from. */
  file: string;
  location: string | undefined;
}

/** The one runtime the spec sets (the CRD allows exactly one); java, python, golang, genericRuntime. */
function runnerCode(resource: WorkloadResource, settings: RenderSettings, problems: Problems): RunnerCode | undefined {
  const { java, python, golang, genericRuntime: generic } = resource.spec;
  const images = settings.runnerImages;
  if (java) return { runtime: { name: 'java', java, logging: javaLogging(java.log) }, image: images.java, file: java.jar, location: java.jarLocation };
  if (python) {
    return { runtime: { name: 'python', python, logging: pythonLogging(python.log) }, image: images.python, file: python.py, location: python.pyLocation };
  }
  if (golang) {
    if (resource.kind === 'Function') return { runtime: { name: 'go', fn: resource, golang }, image: images.go, file: golang.go, location: golang.goLocation };
    problems.error('spec.golang', `the golang runtime runs Functions only: run this ${resource.kind} with java or python, or as an http function`);
    return undefined;
  }
  if (generic) {
    const image = settings.genericRunnerImages[generic.language];
    if (!image && !resource.spec.image) {
      const known = Object.keys(settings.genericRunnerImages).join(', ');
      problems.error('spec.genericRuntime.language', `no runner image for "${generic.language}" (known: ${known}): set spec.image, or add runnerImages.genericRuntime.${generic.language} to the controller's --config-file`);
      return undefined;
    }
    return { runtime: { name: 'generic', generic }, image: image ?? '', file: generic.functionFile, location: generic.functionFileLocation };
  }
  problems.error('spec', 'no runtime is set: set exactly one of java, python, golang, genericRuntime or http');
  return undefined;
}

/** The Go library reads its level from the env; a mounted log config is not for it. */
function goLoggingLevel(golang: GoRuntimeSpec): V1EnvVar {
  const level = golang.log?.level;
  return { name: 'LOGGING_LEVEL', value: level && !golang.log?.logConfig ? level : 'info' };
}

/** End-to-end encryption keys mounted from Secrets where the consumer/producer config asks. */
function cryptoFiles(resource: WorkloadResource): SecretFiles {
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
