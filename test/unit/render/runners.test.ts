import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import type { FunctionResource, FunctionSpec } from '../../../controller/api/index.js';
import { DEFAULT_PULSAR_VERSION } from '../../../controller/render/index.js';
import { container, envOf, fn, jsonArg, podSpec, render, script, sink, source } from './fixtures.js';

const runner = (lang: string) => `apachepulsar/pulsar-functions-${lang}-runner:${DEFAULT_PULSAR_VERSION}`;

/**
 * The Go runner's -instance-conf as the pod's bash hands it over, parsed as JSON: the whole script
 * runs, with printf in place of the binary (pod 7 of a Deployment, its env from `env`).
 */
function goInstanceConf(resource: FunctionResource, env: Record<string, string>): Record<string, unknown> {
  const cmd = script(render(resource));
  const binary = "exec '/pulsar/fn' -instance-conf ";
  expect(cmd).toContain(binary);
  const printed = execFileSync('bash', ['-c', cmd.replace(binary, "printf '%s' ")], { env: { POD_NAME: 'fn-function-6b7c8-00007', ...env }, encoding: 'utf8' });
  return JSON.parse(printed) as Record<string, unknown>;
}

describe('runner images and command lines', () => {
  it.each([
    {
      name: 'java function',
      resource: fn(),
      image: runner('java'),
      fragments: ['exec java -cp /pulsar/instances/java-instance.jar:', 'org.apache.pulsar.functions.instance.JavaInstanceMain --jar \'/pulsar/fn.jar\'', '--pending_async_requests 1000'],
      runtime: 'JAVA',
    },
    {
      name: 'python function',
      resource: fn({ java: undefined, className: 'mod.Fn', python: { py: '/pulsar/fn.py' } }),
      image: runner('python'),
      fragments: ['exec python /pulsar/instances/python-instance/python_instance_main.py --py \'/pulsar/fn.py\'', '--logging_config_file /pulsar/conf/python-log/python_instance_logging.ini'],
      runtime: 'PYTHON',
    },
    {
      name: 'java source',
      resource: source(),
      image: runner('java'),
      fragments: ['--jar \'connectors/src.nar\''],
      runtime: 'JAVA',
    },
    {
      name: 'java sink',
      resource: sink(),
      image: runner('java'),
      fragments: ['--jar \'connectors/snk.nar\''],
      runtime: 'JAVA',
    },
    {
      name: 'spec.image overrides the runner',
      resource: fn({ image: 'example/my-fn:2' }),
      image: 'example/my-fn:2',
      fragments: ['JavaInstanceMain'],
      runtime: 'JAVA',
    },
  ])('$name', ({ resource, image, fragments, runtime }) => {
    const result = render(resource);
    expect(result.problems).toEqual([]);
    const main = podSpec(result).containers[0]!;
    expect(main.name).toBe(`pulsar-${resource.kind.toLowerCase()}`);
    expect(main.image).toBe(image);
    expect(main.command!.slice(0, 2)).toEqual(['bash', '-c']);
    for (const f of fragments) expect(script(result)).toContain(f);
    expect(main.ports).toEqual([
      { name: 'tcp-grpc', containerPort: 9093, protocol: 'TCP' },
      { name: 'http-metrics', containerPort: 9094, protocol: 'TCP' },
    ]);
    expect(main.envFrom).toEqual([{ configMapRef: { name: 'pulsar-cm' } }]);
    const details = jsonArg(script(result), '--function_details') as Record<string, unknown>;
    expect(details).toMatchObject({ runtime, tenant: 'public', namespace: 'default', componentType: resource.kind.toUpperCase() });
  });

  it('shares Function Mesh\'s runner flags', () => {
    const cmd = script(render(fn({ clusterName: 'east' })));
    for (const flag of [
      '--instance_id "${SHARD_ID}"',
      '--function_id "${SHARD_ID}"-\'uid-1\'',
      '--function_version 0',
      '--pulsar_serviceurl "$brokerServiceURL"',
      '--max_buffered_tuples 100',
      '--port 9093',
      '--metrics_port 9094',
      '--expected_healthcheck_interval 0',
      "--cluster_name 'east'",
      '--use_tls false',
    ]) {
      expect(cmd).toContain(flag);
    }
  });

  it('Go: the binary gets its whole configuration as -instance-conf JSON', () => {
    const result = render(fn({ java: undefined, className: undefined, golang: { go: '/pulsar/fn', log: { level: 'debug' } }, timeout: 500 }));
    expect(result.problems).toEqual([]);
    const main = podSpec(result).containers[0]!;
    expect(main.image).toBe(runner('go'));
    expect(script(result)).toMatch(/^SHARD_ID=.* && json_string\(\) \{.*\} && exec '\/pulsar\/fn' -instance-conf '\{"pulsarServiceURL":'"\$\(json_string "\$brokerServiceURL"\)"',/);
    expect(script(result)).toContain('"timeoutMs":500');
    expect(script(result)).toContain('"sinkSpecsTopic":"persistent://public/default/out"');
    expect(envOf(main).LOGGING_LEVEL).toBe('debug');
  });

  it.each([
    {
      name: 'no credentials',
      pulsar: {},
      expected: { pulsarServiceURL: 'pulsar://b:6650', pulsarWebServiceUrl: 'http://b:8080', instanceID: 7, funcID: '7-uid-1', subscriptionPosition: 1 },
    },
    {
      name: 'auth and legacy TLS Secrets, from their env',
      pulsar: { authSecret: 'auth', tlsSecret: 'tls' },
      expected: {
        clientAuthenticationPlugin: 'org.apache.pulsar.client.impl.auth.AuthenticationToken',
        clientAuthenticationParameters: 'token:abc',
        tlsAllowInsecureConnection: false,
        tlsHostnameVerificationEnable: true,
        tlsTrustCertsFilePath: '/etc/ca.pem',
      },
    },
    {
      name: 'genericAuth and tlsConfig literals',
      pulsar: { authConfig: { genericAuth: { clientAuthenticationPlugin: 'P', clientAuthenticationParameters: '{"k":"v"}' } }, tlsConfig: { enabled: true, allowInsecure: true, certSecretName: 'ca', certSecretKey: 'ca.crt' } },
      expected: { clientAuthenticationPlugin: 'P', clientAuthenticationParameters: '{"k":"v"}', tlsAllowInsecureConnection: true, tlsHostnameVerificationEnable: false, tlsTrustCertsFilePath: '/etc/tls/pulsar-functions/ca.crt' },
    },
  ])('Go -instance-conf, as the shell expands it: $name', ({ pulsar, expected }) => {
    const conf = goInstanceConf(fn({ java: undefined, golang: { go: '/pulsar/fn' }, pulsar: { pulsarConfig: 'pulsar-cm', ...pulsar } }), {
      brokerServiceURL: 'pulsar://b:6650', webServiceURL: 'http://b:8080', tlsTrustCertsFilePath: '/etc/ca.pem',
      clientAuthenticationPlugin: 'org.apache.pulsar.client.impl.auth.AuthenticationToken', clientAuthenticationParameters: 'token:abc',
    });
    expect(conf).toMatchObject(expected);
  });

  it('Go -instance-conf carries Secret values with quotes, backslashes, braces and control characters exactly', () => {
    // An OAuth2 parameter is itself JSON; a value may end in a newline or hold shell syntax.
    const params = `{"issuerUrl":"https://issuer/","privateKey":"/etc/oauth2/key.json","audience":"urn:a\\b","scope":"it's $HOME \`id\`"}\n`;
    const ca = '/etc/tls/"ca"\\dir/{x}\t\u0001\u001f.pem';
    const conf = goInstanceConf(fn({ java: undefined, golang: { go: '/pulsar/fn' }, pulsar: { pulsarConfig: 'pulsar-cm', authSecret: 'auth', tlsSecret: 'tls' } }), {
      brokerServiceURL: 'pulsar://b:6650', webServiceURL: 'http://b:8080', tlsTrustCertsFilePath: ca, tlsAllowInsecureConnection: 'true',
      clientAuthenticationPlugin: 'org.apache.pulsar.client.impl.auth.oauth2.AuthenticationOAuth2', clientAuthenticationParameters: params,
    });
    expect(conf).toMatchObject({
      clientAuthenticationPlugin: 'org.apache.pulsar.client.impl.auth.oauth2.AuthenticationOAuth2',
      clientAuthenticationParameters: params,
      tlsTrustCertsFilePath: ca,
      tlsAllowInsecureConnection: true,
      tlsHostnameVerificationEnable: true,
    });
  });

  it('Go runs Functions only', () => {
    const result = render(sink({ java: undefined, golang: { go: '/pulsar/snk' } }));
    expect(result.objects).toEqual([]);
    expect(result.problems).toEqual([expect.objectContaining({ severity: 'error', field: 'spec.golang' })]);
  });

  it('generic runtime: pulsar_rust_instance with the language\'s image', () => {
    const result = render(fn({ java: undefined, genericRuntime: { functionFile: '/pulsar/fn.js', language: 'nodejs' } }));
    const main = podSpec(result).containers[0]!;
    expect(main.image).toBe('streamnative/pulsar-functions-generic-nodejs-runner:0.1.0');
    expect(main.command!.slice(0, 2)).toEqual(['sh', '-c']);
    expect(script(result)).toContain("exec pulsar_rust_instance --function_file '/pulsar/fn.js' --language 'nodejs'");
  });

  it.each([
    { name: 'Deployment: the pod name\'s random suffix read as base 36', resource: fn(), snippet: 'SHARD_ID="$((36#${POD_NAME: -5}))"' },
    { name: 'StatefulSet: the pod ordinal', resource: fn({ statefulConfig: { pulsar: { serviceUrl: 'bk://bk:4181' } } }), snippet: 'SHARD_ID="${POD_NAME##*-}"' },
  ])('instance id — $name', ({ resource, snippet }) => {
    const result = render(resource);
    expect(script(result).startsWith(`${snippet} && `)).toBe(true);
    expect(envOf(podSpec(result).containers[0]!).POD_NAME).toBe('valueFrom');
  });

  it('Java options: log level, direct memory from the limit, extra dependencies, javaOpts as written', () => {
    const cmd = script(render(fn({
      java: { jar: '/pulsar/fn.jar', extraDependenciesDir: 'deps/', javaOpts: ['-Xss512k -Dfoo=bar'], log: { level: 'debug', format: 'json' } },
      resources: { limits: { memory: '1Gi' } },
    })));
    expect(cmd).toContain(':deps/* ');
    expect(cmd).toContain('-Dpulsar.log.level=DEBUG -Dbk.log.level=DEBUG');
    expect(cmd).toContain(`-XX:MaxDirectMemorySize=${Math.floor(2 ** 30 / 5)}`);
    expect(cmd).toContain('-XX:+ExitOnOutOfMemoryError -Xss512k -Dfoo=bar org.apache.pulsar.functions.instance.JavaInstanceMain');
    expect(cmd).toContain('<Root level="DEBUG">');
    expect(cmd).toContain('<JsonLayout');
  });

  it('a log config from a ConfigMap is mounted instead of generated', () => {
    const result = render(fn({ java: { jar: '/pulsar/fn.jar', log: { logConfig: { name: 'logs', key: 'log4j2.xml' } } } }));
    expect(script(result)).not.toContain('printf');
    expect(script(result)).toContain('-Dlog4j.configurationFile=/pulsar/conf/java-log/java_instance_log4j.xml');
    expect(podSpec(result).volumes).toContainEqual({ name: 'logs-java-log', configMap: { name: 'logs', items: [{ key: 'log4j2.xml', path: 'java_instance_log4j.xml' }] } });
    expect(podSpec(result).containers[0]!.volumeMounts).toContainEqual({ name: 'logs-java-log', mountPath: '/pulsar/conf/java-log', readOnly: true });
  });

  it('a function with an embedded connector loads nars from the connectors directory', () => {
    expect(script(render(fn({ sourceConfig: { className: 'org.example.In' } as FunctionSpec['sourceConfig'] })))).toContain('--connectors_directory /pulsar/connectors');
    for (const plain of [fn(), source(), sink()]) expect(script(render(plain))).not.toContain('--connectors_directory');
  });

  it('state store flags come from statefulConfig', () => {
    const cmd = script(render(fn({ statefulConfig: { pulsar: { serviceUrl: 'bk://bk:4181', javaProvider: { className: 'org.example.State' } } } })));
    expect(cmd).toContain("--state_storage_serviceurl 'bk://bk:4181' --state_storage_impl_class 'org.example.State'");
  });
});

describe('Pulsar authentication and TLS of the runner', () => {
  it('the Python runner gets its own spelling of the insecure-connection flag', () => {
    const cmd = script(render(fn({ java: undefined, python: { py: '/pulsar/fn.py' }, pulsar: { pulsarConfig: 'pulsar-cm', tlsConfig: { enabled: true } } })));
    expect(cmd).toContain('--use_tls true --tls_allow_insecure_connection false --hostname_verification_enabled false');
  });

  const tlsVolume = { name: 'ca-ca-crt', secret: { secretName: 'ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] } };
  it.each([
    { name: 'none', pulsar: {}, flags: ['--use_tls false'], absent: ['--client_auth_plugin'], envFrom: 1, volume: undefined },
    {
      name: 'authSecret: plugin and params from its env',
      pulsar: { authSecret: 'auth' },
      flags: ['--client_auth_plugin "$clientAuthenticationPlugin" --client_auth_params "$clientAuthenticationParameters"'],
      absent: [],
      envFrom: 2,
      volume: undefined,
    },
    {
      name: 'genericAuth: quoted literals',
      pulsar: { authConfig: { genericAuth: { clientAuthenticationPlugin: 'org.example.Auth', clientAuthenticationParameters: "it's" } } },
      flags: [`--client_auth_plugin 'org.example.Auth' --client_auth_params 'it'"'"'s'`],
      absent: [],
      envFrom: 1,
      volume: undefined,
    },
    {
      name: 'oauth2Config: key file mounted from its Secret',
      pulsar: { authConfig: { oauth2Config: { audience: 'aud', issuerUrl: 'https://issuer', keySecretName: 'oauth', keySecretKey: 'auth.json' } } },
      flags: ['--client_auth_plugin org.apache.pulsar.client.impl.auth.oauth2.AuthenticationOAuth2', '"private_key":"/etc/oauth2/auth.json"'],
      absent: [],
      envFrom: 1,
      volume: { name: 'oauth-auth-json', secret: { secretName: 'oauth', items: [{ key: 'auth.json', path: 'auth.json' }] } },
    },
    {
      name: 'tlsConfig with a CA certificate',
      pulsar: { tlsConfig: { enabled: true, allowInsecure: false, hostnameVerification: true, certSecretName: 'ca', certSecretKey: 'ca.crt' } },
      flags: ['--use_tls true --tls_allow_insecure false --hostname_verification_enabled true --tls_trust_cert_path /etc/tls/pulsar-functions/ca.crt'],
      absent: [],
      envFrom: 1,
      volume: tlsVolume,
    },
    {
      name: 'legacy tlsSecret: its env vars with upstream defaults',
      pulsar: { tlsSecret: 'tls' },
      flags: ['--use_tls true --tls_allow_insecure "${tlsAllowInsecureConnection:-false}" --hostname_verification_enabled "${tlsHostnameVerificationEnable:-true}" --tls_trust_cert_path "$tlsTrustCertsFilePath"'],
      absent: [],
      envFrom: 2,
      volume: undefined,
    },
  ])('$name', ({ pulsar, flags, absent, envFrom, volume }) => {
    const result = render(fn({ pulsar: { pulsarConfig: 'pulsar-cm', ...pulsar } }));
    for (const f of flags) expect(script(result)).toContain(f);
    for (const f of absent) expect(script(result)).not.toContain(f);
    expect(container(result, 'pulsar-function').envFrom).toHaveLength(envFrom);
    if (volume) expect(podSpec(result).volumes).toContainEqual(volume);
    else expect(podSpec(result).volumes).toBeUndefined();
  });
});
