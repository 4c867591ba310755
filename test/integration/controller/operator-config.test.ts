// The operator config file under the real controller process: mounted the way the kubelet mounts
// a ConfigMap (config.yaml → ..data/config.yaml, ..data → a timestamped directory swapped
// atomically), it sets the runner image and pod labels, and a change is re-rendered into the
// running Function's Deployment without a restart; an invalid change keeps the last good config.
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { createTestNamespace, deleteNamespace, kubectlOk } from '../../support/kubectl.js';
import { waitFor } from '../../support/wait.js';
import { getObject, spawnController, type ControllerProcess, type LiveObject } from './harness.js';
import { javaFunction, list, pulsarConfigMap } from './manifests.js';

let ns = '';
let controller: ControllerProcess | undefined;
let dir = '';
afterEach(async () => {
  if (controller && controller.child.exitCode === null) {
    controller.child.kill('SIGTERM');
    await controller.exited;
  }
  if (ns) await deleteNamespace(ns);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Writes `text` as the kubelet updates a ConfigMap volume: a new data directory, then one rename. */
function publish(text: string, version: number): void {
  const data = path.join(dir, `..v${version}`);
  mkdirSync(data);
  writeFileSync(path.join(data, 'config.yaml'), text);
  symlinkSync(`..v${version}`, path.join(dir, '..data_tmp'));
  renameSync(path.join(dir, '..data_tmp'), path.join(dir, '..data'));
}

interface Template { metadata: { labels?: Record<string, string> }; spec: { containers: { name: string; image: string; imagePullPolicy?: string }[] } }
const template = (d: LiveObject | undefined) => d?.spec?.template as Template | undefined;
const main = (d: LiveObject | undefined) => template(d)?.spec.containers.find((c) => c.name === 'pulsar-function');

describe('--config-file', () => {
  it('renders what the file says, and re-renders when its ConfigMap changes, without a restart', async () => {
    ns = await createTestNamespace('ctl-opconf');
    dir = mkdtempSync(path.join(tmpdir(), 'fm-opconf-'));
    publish('runnerImages:\n  java: example.invalid/java-runner:1\nresourceLabels:\n  team: one\n', 1);
    symlinkSync('..data/config.yaml', path.join(dir, 'config.yaml'));

    controller = await spawnController(['--leader-elect=false', `--watch-namespace=${ns}`, `--config-file=${path.join(dir, 'config.yaml')}`]);
    await kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: list(pulsarConfigMap(), javaFunction('conf', { image: undefined })) });
    const deployment = () => getObject('deployment', ns, 'conf-function');
    const first = await waitFor('the Deployment', deployment, { timeoutMs: 60_000, intervalMs: 300 });
    expect(main(first)?.image).toBe('example.invalid/java-runner:1');
    expect(main(first)?.imagePullPolicy).toBe('IfNotPresent');
    expect(template(first)?.metadata.labels?.team).toBe('one');

    publish('runnerImages:\n  java: example.invalid/java-runner:2\nrunnerImagePullPolicy: Always\nresourceLabels:\n  team: two\n', 2);
    const changed = await waitFor('the Deployment re-rendered', async () => {
      const d = await deployment();
      return main(d)?.image === 'example.invalid/java-runner:2' ? d : undefined;
    }, { timeoutMs: 30_000, intervalMs: 300 });
    expect(main(changed)?.imagePullPolicy).toBe('Always');
    expect(template(changed)?.metadata.labels?.team).toBe('two');

    // An invalid file is logged and changes nothing; the process keeps running.
    publish('runnerImages:\n  jav: example.invalid/java-runner:3\n', 3);
    await waitFor('the invalid config logged', async () => controller!.output().includes('runnerImages.jav is not a key of the operator config') || undefined, { timeoutMs: 30_000 });
    expect(main(await deployment())?.image).toBe('example.invalid/java-runner:2');
    expect(controller.child.exitCode).toBeNull();
  }, 180_000);

  it('refuses to start on an invalid file, naming the key and the fix', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'fm-opconf-'));
    writeFileSync(path.join(dir, 'config.yaml'), 'imagePullPolicy: Sometimes\n');
    controller = await spawnController(['--leader-elect=false', `--config-file=${path.join(dir, 'config.yaml')}`]);
    expect(await controller.exited).toBe(2);
    expect(controller.output()).toContain('imagePullPolicy must be Always, IfNotPresent, Never or empty, got "Sometimes"');
  }, 60_000);
});
