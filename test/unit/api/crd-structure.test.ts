// The generated CRDs are structural (Kubernetes rejects others) and carry the subresources,
// columns, defaults and rules the API promises.
import { describe, expect, it } from '@jest/globals';
import { buildCrd, type Kind } from '../../../controller/api/index.js';

type Node = Record<string, unknown>;
const KINDS: Kind[] = ['Function', 'Source', 'Sink', 'FunctionMesh'];

// Fields whose content the API does not look into (core/v1 pieces, connector configs).
const FREE_FORM = new Set([
  'funcConfig', 'sourceConfig', 'sinkConfig', 'configs', 'discoveryTriggererConfig', 'config',
  'affinity', 'tolerations', 'securityContext', 'volumes', 'initContainers', 'sidecars', 'valueFrom',
  'autoScalingMetrics', 'autoScalingBehavior', 'updatePolicy', 'resourcePolicy', 'startupProbe',
  'volumeClaimTemplates', 'persistentVolumeClaimRetentionPolicy',
]);

function schemaOf(kind: Kind): Node {
  return buildCrd(kind).spec.versions[0]!.schema.openAPIV3Schema;
}

/** Visits every schema node with its path of property names ('[]' for items, '{}' for map values). */
function walk(node: Node, visit: (node: Node, path: string[]) => void, path: string[] = []): void {
  visit(node, path);
  for (const [name, child] of Object.entries((node.properties ?? {}) as Record<string, Node>)) walk(child, visit, [...path, name]);
  if (node.items) walk(node.items as Node, visit, [...path, '[]']);
  if (typeof node.additionalProperties === 'object') walk(node.additionalProperties as Node, visit, [...path, '{}']);
}

/** The named field a path ends in (skipping list/map markers). */
const fieldOf = (path: string[]) => [...path].reverse().find((p) => p !== '[]' && p !== '{}');

describe.each(KINDS)('%s CRD', (kind) => {
  const crd = buildCrd(kind);
  const schema = schemaOf(kind);

  it('is structural: every node typed, no $ref, no patternProperties, anyOf only for int-or-string', () => {
    const problems: string[] = [];
    walk(schema, (node, path) => {
      const at = path.join('.') || '<root>';
      if (node['x-kubernetes-int-or-string'] === true) {
        if (node.type !== undefined) problems.push(`${at}: int-or-string must not have a type`);
        return;
      }
      if (typeof node.type !== 'string') problems.push(`${at}: no type`);
      for (const banned of ['$ref', 'patternProperties', 'anyOf', 'oneOf', 'allOf', 'const', 'not']) {
        if (banned in node) problems.push(`${at}: ${banned}`);
      }
      if (node.type === 'object' && node.properties && node.additionalProperties) {
        problems.push(`${at}: both properties and additionalProperties`);
      }
    });
    expect(problems).toEqual([]);
  });

  it('preserves unknown fields only in free-form fields', () => {
    const preserved: string[] = [];
    walk(schema, (node, path) => {
      if (node['x-kubernetes-preserve-unknown-fields']) {
        preserved.push(path.join('.'));
        expect(node.type).toBe('object');
        expect(FREE_FORM.has(fieldOf(path) ?? '')).toBe(true);
      }
    });
    expect(preserved.length).toBeGreaterThan(5);
  });

  it('describes every spec and status field (kubectl explain, docs/api.md)', () => {
    const undescribed: string[] = [];
    for (const part of ['spec', 'status']) {
      walk((schema.properties as Record<string, Node>)[part]!, (node, path) => {
        if (path.length && path.at(-1) !== '[]' && path.at(-1) !== '{}' && !node.description) undescribed.push(path.join('.'));
      }, [part]);
    }
    expect(undescribed).toEqual([]);
  });

  it('gives every CEL rule a message and a valid fieldPath', () => {
    let count = 0;
    walk(schema, (node) => {
      for (const rule of (node['x-kubernetes-validations'] ?? []) as Node[]) {
        count++;
        expect(typeof rule.rule).toBe('string');
        expect(String(rule.message).length).toBeGreaterThan(20);
        expect(String(rule.message)).toContain(':'); // "<what is wrong>: <the fix>"
        if (rule.fieldPath !== undefined) {
          const field = String(rule.fieldPath).split('.').filter(Boolean);
          let target: Node | undefined = node;
          for (const f of field) target = (target?.properties as Record<string, Node> | undefined)?.[f];
          expect(target).toBeDefined();
        }
      }
    });
    expect(count).toBeGreaterThan(kind === 'Source' ? 5 : 10);
  });

  it('is namespaced, served and stored as v1alpha1, with short names and categories', () => {
    expect(crd.metadata.name).toMatch(/\.compute\.functionmesh\.io$/);
    expect(crd.spec.scope).toBe('Namespaced');
    expect(crd.spec.versions.map((v) => [v.name, v.served, v.storage])).toEqual([['v1alpha1', true, true]]);
    expect(crd.spec.names.shortNames.length).toBe(1);
    expect(crd.spec.names.categories).toEqual(['functionmesh-all']);
    // A category equal to a resource name would shadow it in kubectl.
    for (const k of KINDS) expect(crd.spec.names.categories).not.toContain(buildCrd(k).spec.names.singular);
  });

  it('fits the last-applied annotation of a client-side kubectl apply (256 KiB)', () => {
    expect(JSON.stringify(crd).length).toBeLessThan(256 * 1024 * 0.75);
  });

  it('reports readiness from the Ready condition in kubectl get', () => {
    const columns = crd.spec.versions[0]!.additionalPrinterColumns.map((c) => c.name);
    expect(columns[0]).toBe('Ready');
    expect(columns).toContain('Age');
    if (kind !== 'FunctionMesh') expect(columns).toEqual(expect.arrayContaining(['Replicas', 'Min', 'Max']));
  });
});

describe('subresources', () => {
  it.each(['Function', 'Source', 'Sink'] as const)('%s has status and scale', (kind) => {
    expect(buildCrd(kind).spec.versions[0]!.subresources).toEqual({
      status: {},
      scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' },
    });
  });
  it('FunctionMesh has status only', () => {
    expect(buildCrd('FunctionMesh').spec.versions[0]!.subresources).toEqual({ status: {} });
  });
});

describe('schema defaults', () => {
  const spec = (kind: Kind) => (schemaOf(kind).properties as Record<string, Node>).spec!;
  const prop = (node: Node, ...path: string[]) =>
    path.reduce<Node>((n, p) => (n.properties as Record<string, Node>)[p]!, node);

  it('match upstream for the function kind', () => {
    const fn = spec('Function');
    expect(prop(fn, 'autoAck').default).toBe(true);
    expect(prop(fn, 'processingGuarantee').default).toBe('atleast_once');
    expect(prop(fn, 'clusterName').default).toBe('kubernetes');
    expect(prop(fn, 'tenant').default).toBe('public');
    expect(prop(fn, 'namespace').default).toBe('default');
    expect(prop(fn, 'maxPendingAsyncRequests').default).toBe(1000);
    expect(prop(fn, 'forwardSourceMessageProperty').default).toBe(true);
    expect(prop(fn, 'input', 'typeClassName').default).toBe('[B');
    expect(prop(fn, 'output', 'typeClassName').default).toBe('[B');
    expect(prop(fn, 'logTopicAgent').default).toBe('runtime');
  });

  it('send connector logs through a sidecar', () => {
    expect(prop(spec('Source'), 'logTopicAgent').default).toBe('sidecar');
    expect(prop(spec('Sink'), 'logTopicAgent').default).toBe('sidecar');
  });

  it('cover the extensions', () => {
    const fn = spec('Function');
    expect(prop(fn, 'http', 'port').default).toBe(8080);
    expect(prop(fn, 'http', 'path').default).toBe('/');
    const scaling = prop(fn, 'scaling');
    expect(Object.fromEntries(Object.entries(scaling.properties as Record<string, Node>).map(([k, v]) => [k, v.default]))).toEqual({
      targetBacklogPerReplica: 10,
      activationBacklog: 0,
      cooldownPeriod: 300,
      pollingInterval: 30,
      pushActivation: true,
    });
  });

  it('let minReplicas be 0 (scale to zero)', () => {
    expect(prop(spec('Function'), 'minReplicas').minimum).toBe(0);
  });
});
