// The chart and the kustomize base are two ways to install the same thing: with default values,
// `helm template` renders every object of `kubectl kustomize manifests/base`, field for field.
// One difference is by design: the base creates its Namespace, while helm needs the release
// namespace before it installs anything (it stores the release there first), so the chart leaves
// the namespace to `helm install --create-namespace`. The test checks that the base's one Namespace
// is the namespace every other object of both renderings lives in.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readPlatformEnv } from '../../support/platform.js';
import { baseNamespace, objectKey, renderChart, renderKustomize, type KubeObject } from './helm.js';
import { fieldDifferences } from './object-diff.js';

describe('charts/function-mesh-ts renders the objects of manifests/base', () => {
  let home: string;
  let base: KubeObject[];
  let chart: KubeObject[];

  beforeAll(async () => {
    home = mkdtempSync(path.join(tmpdir(), 'fm-helm-'));
    [base, chart] = await Promise.all([renderKustomize(readPlatformEnv().KUBECTL), renderChart(home, baseNamespace)]);
  }, 1_800_000);

  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('leaves only the Namespace to helm, and puts everything in it', () => {
    const namespaces = base.filter((o) => o.kind === 'Namespace');
    expect(namespaces.map((o) => o.metadata.name)).toEqual([baseNamespace]);
    expect(chart.filter((o) => o.kind === 'Namespace')).toEqual([]);
    const clusterScoped = new Set(['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding']);
    for (const o of [...base, ...chart].filter((x) => !clusterScoped.has(x.kind))) {
      expect(`${objectKey(o)} in ${o.metadata.namespace}`).toBe(`${objectKey(o)} in ${baseNamespace}`);
    }
  });

  it('renders the same set of objects (by kind/namespace/name)', () => {
    const baseKeys = base.filter((o) => o.kind !== 'Namespace').map(objectKey).sort();
    expect(chart.map(objectKey).sort()).toEqual(baseKeys);
    expect(new Set(baseKeys).size).toBe(baseKeys.length);
  });

  it('renders every object field for field as the base does', () => {
    const byKey = new Map(chart.map((o) => [objectKey(o), o]));
    const differences = base
      .filter((o) => o.kind !== 'Namespace')
      .flatMap((o) => {
        const other = byKey.get(objectKey(o));
        if (!other) return [`${objectKey(o)}: not rendered by the chart`];
        return fieldDifferences(o, other).map((d) => `${objectKey(o)}: ${d}  (base ≠ chart)`);
      });
    expect(differences).toEqual([]);
  });
});
