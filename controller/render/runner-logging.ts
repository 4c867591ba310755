// Logging of the Java and Python runners. Either the user's file from a ConfigMap
// (`<runtime>.log.logConfig`), mounted where the runner reads it, or a small console-only
// configuration written at start at the level and format the spec asks for.
import type { V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { JavaRuntimeSpec, PythonRuntimeSpec } from '../api/index.js';
import { volumeName } from './pulsar-connection.js';
import { shellQuote } from './shell.js';

type LogConfig = NonNullable<JavaRuntimeSpec['log']>;

export interface LoggingPlan {
  /** Config file passed to the runner. */
  configFile: string;
  /** A shell command writing a generated config, or '' when mounted. */
  writeConfig: string;
  /** Level for `-Dpulsar.log.level` (Java) or `--logging_level` (Python); undefined: runner default. */
  level?: string;
  volumes: V1Volume[];
  mounts: V1VolumeMount[];
}

const JAVA_DIR = '/pulsar/conf/java-log';
const PYTHON_DIR = '/pulsar/conf/python-log';

const JAVA_LEVELS: Record<string, string> = {
  off: 'OFF', trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'FATAL', all: 'ALL',
};
const PYTHON_LEVELS: Record<string, string> = {
  trace: 'DEBUG', debug: 'DEBUG', info: 'INFO', warn: 'WARNING', error: 'ERROR', fatal: 'CRITICAL',
};

export function javaLogging(log: LogConfig | undefined): LoggingPlan {
  const level = log?.level ? (JAVA_LEVELS[log.level] ?? 'INFO') : undefined;
  const yaml = log?.javaLog4JConfigFileType === 'yaml';
  const file = `${JAVA_DIR}/java_instance_log4j.${yaml ? 'yaml' : 'xml'}`;
  if (log?.logConfig) return mounted(log.logConfig, 'java', JAVA_DIR, file, level);
  const layout = log?.format === 'json'
    ? '<JsonLayout compact="true" eventEol="true" properties="true"/>'
    : '<PatternLayout pattern="%d{ISO8601_OFFSET_DATE_TIME_HHMM} [%t] %-5level %logger{36} - %msg%n"/>';
  const xml =
    '<Configuration name="pulsar-function"><Appenders><Console name="Console" target="SYSTEM_OUT">' +
    `${layout}</Console></Appenders><Loggers><Root level="${level ?? 'INFO'}"><AppenderRef ref="Console"/>` +
    '</Root></Loggers></Configuration>';
  const xmlFile = `${JAVA_DIR}/java_instance_log4j.xml`;
  return { configFile: xmlFile, writeConfig: writeFile(JAVA_DIR, xmlFile, xml), ...(level ? { level } : {}), volumes: [], mounts: [] };
}

export function pythonLogging(log: NonNullable<PythonRuntimeSpec['log']> | undefined): LoggingPlan {
  const level = log?.level ? (PYTHON_LEVELS[log.level] ?? 'INFO') : undefined;
  const file = `${PYTHON_DIR}/python_instance_logging.ini`;
  if (log?.logConfig) return mounted(log.logConfig, 'python', PYTHON_DIR, file, undefined);
  const format = log?.format === 'json'
    ? '{"time": "%(asctime)s", "level": "%(levelname)s", "logger": "%(name)s", "message": "%(message)s"}'
    : '[%(asctime)s] [%(levelname)s] %(filename)s: %(message)s';
  const ini = [
    '[loggers]', 'keys=root', '[handlers]', 'keys=stream_handler', '[formatters]', 'keys=formatter',
    '[logger_root]', `level=${level ?? 'INFO'}`, 'handlers=stream_handler',
    '[handler_stream_handler]', 'class=StreamHandler', `level=${level ?? 'INFO'}`, 'formatter=formatter', 'args=(sys.stdout,)',
    '[formatter_formatter]', `format=${format}`, 'datefmt=%Y-%m-%dT%H:%M:%S%z',
  ].join('\n');
  return { configFile: file, writeConfig: writeFile(PYTHON_DIR, file, ini), volumes: [], mounts: [] };
}

function mounted(ref: { name: string; key: string }, runtime: string, dir: string, file: string, level: string | undefined): LoggingPlan {
  const name = volumeName(`${ref.name}-${runtime}-log`);
  return {
    configFile: file,
    writeConfig: '',
    ...(level ? { level } : {}),
    volumes: [{ name, configMap: { name: ref.name, items: [{ key: ref.key, path: file.slice(dir.length + 1) }] } }],
    mounts: [{ name, mountPath: dir, readOnly: true }],
  };
}

function writeFile(dir: string, file: string, content: string): string {
  return `mkdir -p ${dir} && printf '%s\\n' ${shellQuote(content)} > ${file}`;
}
