// Runtimes: exactly one of them says how the function's code runs. java/python/golang/
// genericRuntime are upstream's Pulsar runner images; `http` is our Knative-style extension.
import Type from 'typebox';
import { EnvList } from './core-v1.js';
import { LOCATION_PATTERN } from './patterns.js';
import { Int32, MatchingString, StringEnum } from './schema-kit.js';

const opt = Type.Optional;

export const RUNTIME_FIELDS = ['java', 'python', 'golang', 'genericRuntime', 'http'] as const;

const Location = (what: string) =>
  opt(
    MatchingString({
      maxLength: 1024,
      pattern: LOCATION_PATTERN,
      what:
        'a package location: https://..., function://tenant/ns/name[@version] (or source://, sink://), ' +
        'tenant/ns/name, builtin://name, an absolute path, or empty for a file already in the image',
      description:
        `Where to download ${what} from: http(s):// URL, function:// source:// or sink:// package ` +
        '(tenant/ns/name[@version]), legacy tenant/ns/name, builtin://name, an absolute path; empty: already in the image.',
    }),
  );

const ROTATE_POLICIES = [
  'TimedPolicyWithDaily',
  'TimedPolicyWithWeekly',
  'TimedPolicyWithMonthly',
  'SizedPolicyWith10MB',
  'SizedPolicyWith50MB',
  'SizedPolicyWith100MB',
] as const;

const RuntimeLogConfig = Type.Object(
  {
    level: opt(
      StringEnum(['off', 'trace', 'debug', 'info', 'warn', 'error', 'fatal', 'all', 'panic'], { description: 'Log level.' }),
    ),
    rotatePolicy: opt(StringEnum(ROTATE_POLICIES, { description: 'When log files roll over.' })),
    format: opt(StringEnum(['json', 'text'], { description: 'Log line format.' })),
    logConfig: opt(
      Type.Object(
        {
          name: Type.String({ description: 'ConfigMap name.' }),
          key: Type.String({ description: 'Key of the file in the ConfigMap.' }),
        },
        { description: 'ConfigMap name and key of a custom log configuration file.' },
      ),
    ),
    javaLog4JConfigFileType: opt(StringEnum(['yaml', 'xml', 'ini'], { description: 'Format of a custom log4j file.' })),
  },
  { description: 'Runtime logging.' },
);

export const JavaRuntime = Type.Object(
  {
    jar: Type.String({ minLength: 1, description: 'Path of the jar or nar inside the pod.' }),
    jarLocation: Location('the jar'),
    extraDependenciesDir: opt(Type.String({ description: 'Directory of extra jars on the classpath.' })),
    log: opt(RuntimeLogConfig),
    javaOpts: opt(Type.Array(Type.String(), { description: 'Extra JVM options.' })),
    instancePath: opt(Type.String({ description: 'Path of the Java instance jar in the runner image.' })),
    entryClass: opt(Type.String({ description: 'Main class of the Java instance.' })),
  },
  { description: 'Run on the Pulsar Java runner.' },
);

export const PythonRuntime = Type.Object(
  {
    py: Type.String({ minLength: 1, description: 'Path of the .py, .zip or .whl file inside the pod.' }),
    pyLocation: Location('the Python package'),
    log: opt(RuntimeLogConfig),
  },
  { description: 'Run on the Pulsar Python runner.' },
);

export const GoRuntime = Type.Object(
  {
    go: Type.String({ minLength: 1, description: 'Path of the Go binary inside the pod.' }),
    goLocation: Location('the Go binary'),
    log: opt(RuntimeLogConfig),
  },
  { description: 'Run a Go function binary.' },
);

export const GenericRuntime = Type.Object(
  {
    functionFile: Type.String({ minLength: 1, description: 'Path of the function file inside the pod.' }),
    language: Type.String({ minLength: 1, description: 'Language of the generic runner (e.g. nodejs, wasm).' }),
    functionFileLocation: Location('the function file'),
  },
  { description: 'Run on a generic (e.g. Node.js, WebAssembly) runner.' },
);

/** Extension: the user's container is an HTTP server that receives each message as a CloudEvent. */
const HttpRuntime = Type.Object(
  {
    image: Type.String({ minLength: 1, description: 'Image of the user HTTP server.' }),
    port: opt(Int32({ minimum: 1, maximum: 65535, default: 8080, description: 'Port the server listens on.' })),
    path: opt(
      Type.String({ pattern: '^/', maxLength: 1024, default: '/', description: 'Path CloudEvents are POSTed to.' }),
    ),
    env: opt(EnvList('Environment variables of the user container.')),
  },
  { description: 'Extension: a Knative-style HTTP function fed CloudEvents by a bridge sidecar.' },
);

export const RuntimeFields = {
  java: opt(JavaRuntime),
  python: opt(PythonRuntime),
  golang: opt(GoRuntime),
  genericRuntime: opt(GenericRuntime),
  http: opt(HttpRuntime),
};
