// Upstream's operator config file: its shape parses, every mistake is named with its key and the
// fix, and what it says reaches the rendered pods (flags over the file over the defaults).
import { describe, expect, it } from '@jest/globals';
import { parseConfig, type ControllerConfig } from '../../../controller/config.js';
import { renderSettings } from '../../../controller/render-settings.js';
import { EMPTY_OPERATOR_CONFIG, OperatorConfigError, parseOperatorConfig } from '../../../controller/operator-config.js';
import { renderChildren } from '../../../controller/render/index.js';
import { container, fn, podSpec, pulsarConfig, workloadOf } from '../render/fixtures.js';

// The keys upstream's chart writes into its ConfigMap's config.yaml.
const UPSTREAM = `
runnerImages:
  java: my.registry/java-runner:4.0.7
  python: my.registry/python-runner:4.0.7
  go: my.registry/go-runner:4.0.7
  genericRuntime:
    nodejs: my.registry/nodejs-runner:1
    wasm: my.registry/wasm-runner:1
runnerImagePullSecrets:
  - name: registry-cred
runnerImagePullPolicy: Always
resourceLabels:
  team: payments
resourceAnnotations:
  sidecar.istio.io/inject: "false"
`;

const flags = (argv: string[] = []) => parseConfig(argv, {}, 'h') as ControllerConfig;

describe('parseOperatorConfig', () => {
  it("reads upstream's shape", () => {
    expect(parseOperatorConfig(UPSTREAM, 'config.yaml')).toEqual({
      runnerImages: {
        java: 'my.registry/java-runner:4.0.7',
        python: 'my.registry/python-runner:4.0.7',
        go: 'my.registry/go-runner:4.0.7',
        genericRuntime: { nodejs: 'my.registry/nodejs-runner:1', wasm: 'my.registry/wasm-runner:1' },
      },
      runnerImagePullSecrets: [{ name: 'registry-cred' }],
      imagePullPolicy: 'Always',
      resourceLabels: { team: 'payments' },
      resourceAnnotations: { 'sidecar.istio.io/inject': 'false' },
    });
    expect(parseOperatorConfig('imagePullPolicy: Never', 'f').imagePullPolicy).toBe('Never');
  });

  it('an empty file is the defaults, as upstream', () => {
    expect(parseOperatorConfig('', 'f')).toEqual(EMPTY_OPERATOR_CONFIG);
    expect(parseOperatorConfig('# nothing\n', 'f')).toEqual(EMPTY_OPERATOR_CONFIG);
  });

  it('names every wrong key with its fix, all at once', () => {
    const text = `
runnerImage: {java: x}
runnerImages: {java: 3, rust: y}
runnerImagePullSecrets: [registry-cred]
imagePullPolicy: Sometimes
resourceLabels: {team: [a]}
`;
    expect(() => parseOperatorConfig(text, '/etc/config/config.yaml')).toThrow(
      new OperatorConfigError(
        [
          '/etc/config/config.yaml: runnerImage is not a key of the operator config: use one of runnerImages, runnerImagePullSecrets, imagePullPolicy, runnerImagePullPolicy, resourceLabels, resourceAnnotations',
          '/etc/config/config.yaml: runnerImages.rust is not a key of the operator config: use one of java, python, go, genericRuntime',
          '/etc/config/config.yaml: runnerImages.java must be an image reference (e.g. apachepulsar/pulsar-functions-java-runner:4.0.7)',
          '/etc/config/config.yaml: runnerImagePullSecrets[0] must be {name: <Secret name>}',
          '/etc/config/config.yaml: imagePullPolicy must be Always, IfNotPresent, Never or empty, got "Sometimes"',
          '/etc/config/config.yaml: resourceLabels.team must be a string',
        ].join('\n'),
      ),
    );
  });

  it('refuses two pull-policy keys that disagree, and YAML that does not parse', () => {
    expect(() => parseOperatorConfig('imagePullPolicy: Always\nrunnerImagePullPolicy: Never', 'f')).toThrow('f: runnerImagePullPolicy says Never but imagePullPolicy says Always: keep one of the two keys');
    expect(() => parseOperatorConfig('runnerImages: [', 'f')).toThrow(/^f: not valid YAML: /);
    expect(() => parseOperatorConfig('- a\n- b', 'f')).toThrow('f: (top level) must be a mapping of keys to values');
  });
});

describe('the operator config in the rendered pods', () => {
  const settings = renderSettings(flags(), parseOperatorConfig(UPSTREAM, 'f'));

  it('gives the runner images, the pull policy, pull secrets after the resource\'s, and labels and annotations under the resource\'s', () => {
    const result = renderChildren(fn({ image: undefined, pod: { labels: { team: 'mine' }, imagePullSecrets: [{ name: 'own' }], annotations: { a: '1' } } }), { settings, pulsarConfig });
    const main = container(result, 'pulsar-function');
    expect(main.image).toBe('my.registry/java-runner:4.0.7');
    expect(main.imagePullPolicy).toBe('Always');
    expect(podSpec(result).imagePullSecrets).toEqual([{ name: 'own' }, { name: 'registry-cred' }]);
    const meta = workloadOf(result).spec.template.metadata!;
    expect(meta.labels).toEqual(expect.objectContaining({ team: 'mine' }));
    expect(meta.annotations).toEqual(expect.objectContaining({ 'sidecar.istio.io/inject': 'false', a: '1' }));
    expect(container(renderChildren(fn({ image: undefined, imagePullPolicy: 'Never' }), { settings, pulsarConfig }), 'pulsar-function').imagePullPolicy).toBe('Never');
  });

  it('the flags win over the file', () => {
    expect(renderSettings(flags(['--java-runner-image=flag/java:1']), parseOperatorConfig(UPSTREAM, 'f')).runnerImages.java).toBe('flag/java:1');
  });

  it('--downloader-image sets the init container\'s default image; a resource\'s downloaderImage wins', () => {
    const settings = renderSettings(flags(['--downloader-image=flag/downloader:1']));
    const pkg = { java: { jar: 'x.jar', jarLocation: 'function://public/default/x@v1' } };
    const init = (spec: object) => workloadOf(renderChildren(fn(spec), { settings, pulsarConfig })).spec.template.spec!.initContainers![0]!.image;
    expect(init(pkg)).toBe('flag/downloader:1');
    expect(init({ ...pkg, downloaderImage: 'own/downloader:2' })).toBe('own/downloader:2');
  });

  it('executable and wasm get the generic base runner, not the Java runner; an unknown language is an error', () => {
    const generic = (language: string) => renderChildren(fn({ java: undefined, image: undefined, genericRuntime: { functionFile: '/pulsar/fn', language } }), { settings: renderSettings(flags()), pulsarConfig });
    expect(container(generic('executable'), 'pulsar-function').image).toBe('streamnative/pulsar-functions-generic-base-runner:0.1.0');
    expect(container(generic('wasm'), 'pulsar-function').image).toBe('streamnative/pulsar-functions-generic-base-runner:0.1.0');
    expect(generic('rust').problems).toEqual([
      { severity: 'error', field: 'spec.genericRuntime.language', message: expect.stringContaining('no runner image for "rust" (known: nodejs, python, executable, wasm): set spec.image, or add runnerImages.genericRuntime.rust') },
    ]);
    // The file's image for a language wins over the default.
    const wasm = renderChildren(fn({ java: undefined, image: undefined, genericRuntime: { functionFile: '/pulsar/fn', language: 'wasm' } }), { settings, pulsarConfig });
    expect(container(wasm, 'pulsar-function').image).toBe('my.registry/wasm-runner:1');
  });
});
