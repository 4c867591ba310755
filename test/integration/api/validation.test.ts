// Every validation rule, enforced by the real kube-apiserver on create AND on update (upstream
// validates creates only), each rejection naming the field and the fix.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { API_VERSION, type Kind } from '../../../controller/api/index.js';
import { createTestNamespace, deleteNamespace } from '../../support/kubectl.js';
import { applyObject, installCrds } from './crds.js';

type Spec = Record<string, unknown>;

const pulsar = { pulsarConfig: 'pulsar' };
const BASE: Record<Kind, Spec> = {
  Function: {
    className: 'org.example.Exclaim',
    input: { topics: ['persistent://public/default/in'] },
    output: { topic: 'persistent://public/default/out' },
    pulsar,
    java: { jar: '/pulsar/examples/api-examples.jar' },
  },
  Source: { className: 'org.example.Source', output: { topic: 'out' }, pulsar, java: { jar: 'connectors/s.nar' } },
  Sink: { className: 'org.example.Sink', input: { topics: ['in'] }, pulsar, java: { jar: 'connectors/s.nar' } },
  FunctionMesh: {},
};
BASE.FunctionMesh = {
  functions: [{ name: 'exclaim', ...BASE.Function }],
  sinks: [{ name: 'store', ...BASE.Sink, input: { topics: ['persistent://public/default/out'] } }],
};

interface Case {
  rule: string;
  kind?: Kind;
  /** Turns the valid base spec into the invalid one. */
  spec: (base: Spec) => Spec;
  /** The field kubectl reports, and words of the message. */
  field: string;
  message: string;
  /** metadata.name of the invalid object; names cannot change, so such cases are create-only. */
  name?: string;
}

const without = (spec: Spec, ...keys: string[]) => Object.fromEntries(Object.entries(spec).filter(([k]) => !keys.includes(k)));
const eo = { processingGuarantee: 'effectively_once' };
const mesh = (base: Spec) => base as { functions: Spec[]; sinks: Spec[] };

const CASES: Case[] = [
  { rule: 'name ≤ 43 characters', name: 'f'.repeat(44), spec: (s) => s, field: 'metadata.name', message: 'metadata.name must be at most 43 characters' },
  { rule: 'name is a DNS label', name: 'fn.v1', spec: (s) => s, field: 'metadata.name', message: 'metadata.name must be a DNS label' },
  { rule: 'a runtime is required', spec: (s) => without(s, 'java'), field: 'spec', message: 'exactly one runtime must be set' },
  { rule: 'only one runtime', spec: (s) => ({ ...s, python: { py: 'f.py' } }), field: 'spec', message: 'exactly one runtime must be set: choose one of java, python, golang, genericRuntime, http' },
  { rule: 'the HTTP runtime counts as one', spec: (s) => ({ ...s, http: { image: 'fn:1' } }), field: 'spec', message: 'exactly one runtime must be set' },
  { rule: 'className for java', spec: (s) => without(s, 'className'), field: 'spec.className', message: 'className is required with the java and python runtimes' },
  { rule: 'className for python', spec: (s) => ({ ...without(s, 'className', 'java'), python: { py: 'f.py' } }), field: 'spec.className', message: 'className is required' },
  { rule: 'jar for java', spec: (s) => ({ ...s, java: { jarLocation: '' } }), field: 'spec.java.jar', message: 'Required value' },
  { rule: 'replicas ≥ 0', spec: (s) => ({ ...s, replicas: -1 }), field: 'spec.replicas', message: 'should be greater than or equal to 0' },
  { rule: 'minReplicas ≤ replicas', spec: (s) => ({ ...s, replicas: 1, minReplicas: 2 }), field: 'spec.minReplicas', message: 'minReplicas must be <= replicas' },
  { rule: 'replicas ≤ maxReplicas', spec: (s) => ({ ...s, replicas: 3, maxReplicas: 2 }), field: 'spec.replicas', message: 'replicas must be <= maxReplicas' },
  { rule: 'minReplicas ≤ maxReplicas', spec: (s) => ({ ...s, minReplicas: 4, maxReplicas: 2 }), field: 'spec.maxReplicas', message: 'minReplicas must be <= maxReplicas' },
  { rule: 'HPA and VPA exclusive', spec: (s) => ({ ...s, pod: { vpa: {}, builtinAutoscaler: ['AverageUtilizationCPUPercent80'] } }), field: 'spec.pod.vpa', message: 'pod.vpa cannot be combined with pod.builtinAutoscaler or pod.autoScalingMetrics' },
  { rule: 'deadLetterTopic needs maxMessageRetry', spec: (s) => ({ ...s, deadLetterTopic: 'dlq' }), field: 'spec.maxMessageRetry', message: 'maxMessageRetry must be > 0 when deadLetterTopic is set: set maxMessageRetry or remove deadLetterTopic' },
  { rule: 'retainOrdering xor retainKeyOrdering', spec: (s) => ({ ...s, retainOrdering: true, retainKeyOrdering: true }), field: 'spec.retainKeyOrdering', message: 'retainOrdering and retainKeyOrdering are exclusive' },
  { rule: 'effectively_once excludes timeout', spec: (s) => ({ ...s, ...eo, timeout: 100 }), field: 'spec.timeout', message: 'timeout cannot be used with processingGuarantee effectively_once' },
  { rule: 'effectively_once excludes maxMessageRetry', spec: (s) => ({ ...s, ...eo, maxMessageRetry: 3 }), field: 'spec.maxMessageRetry', message: 'maxMessageRetry cannot be used with processingGuarantee effectively_once' },
  { rule: 'effectively_once excludes retainKeyOrdering', spec: (s) => ({ ...s, ...eo, retainKeyOrdering: true }), field: 'spec.retainKeyOrdering', message: 'retainKeyOrdering cannot be used with processingGuarantee effectively_once' },
  { rule: 'an input topic is required', spec: (s) => ({ ...s, input: { typeClassName: 'java.lang.String' } }), field: 'spec.input', message: 'input needs at least one topic: set input.topics or input.topicPattern' },
  { rule: 'output is not an input', spec: (s) => ({ ...s, output: { topic: 'persistent://public/default/in' } }), field: 'spec.output.topic', message: 'output.topic must not also be an input topic' },
  { rule: 'valid input topic names', spec: (s) => ({ ...s, input: { topics: ['persistent://public/default'] } }), field: 'spec.input.topics[0]', message: 'should match' },
  { rule: 'valid output topic name', spec: (s) => ({ ...s, output: { topic: 'has space' } }), field: 'spec.output.topic', message: 'Invalid value: "has space": must be a Pulsar topic name or empty: persistent://tenant/namespace/topic' },
  { rule: 'windowConfig needs a length', spec: (s) => ({ ...s, windowConfig: { actualWindowFunctionClassName: 'W' } }), field: 'spec.windowConfig', message: 'windowConfig needs exactly one window length' },
  { rule: 'windowConfig takes one length', spec: (s) => ({ ...s, windowConfig: { actualWindowFunctionClassName: 'W', windowLengthCount: 10, windowLengthDurationMs: 1000 } }), field: 'spec.windowConfig', message: 'windowConfig needs exactly one window length' },
  { rule: 'pulsar is required', spec: (s) => without(s, 'pulsar'), field: 'spec.pulsar', message: 'pulsar.pulsarConfig is required' },
  { rule: 'pulsar.pulsarConfig is required', spec: (s) => ({ ...s, pulsar: { authSecret: 'auth' } }), field: 'spec.pulsar.pulsarConfig', message: 'Required value' },
  { rule: 'package locations', spec: (s) => ({ ...s, java: { jar: 'a.jar', jarLocation: 'ftp://host/a.jar' } }), field: 'spec.java.jarLocation', message: 'Invalid value: "ftp://host/a.jar": must be a package location: https://' },
  { rule: 'processingGuarantee enum', spec: (s) => ({ ...s, processingGuarantee: 'exactly_once' }), field: 'spec.processingGuarantee', message: 'Unsupported value: "exactly_once"' },
  { rule: 'subscriptionPosition enum', spec: (s) => ({ ...s, subscriptionPosition: 'middle' }), field: 'spec.subscriptionPosition', message: 'Unsupported value' },
  { rule: 'HTTP runtime port', spec: (s) => ({ ...without(s, 'java', 'className'), http: { image: 'fn:1', port: 0 } }), field: 'spec.http.port', message: 'should be greater than or equal to 1' },
  { rule: 'scaling backlog target', spec: (s) => ({ ...s, minReplicas: 0, scaling: { targetBacklogPerReplica: 0 } }), field: 'spec.scaling.targetBacklogPerReplica', message: 'should be greater than or equal to 1' },
  { rule: 'one builtin CPU rule', spec: (s) => ({ ...s, maxReplicas: 3, pod: { builtinAutoscaler: ['AverageUtilizationCPUPercent80', 'AverageUtilizationCPUPercent20'] } }), field: 'spec.pod.builtinAutoscaler', message: 'pod.builtinAutoscaler has more than one CPU rule' },
  { rule: 'producer encryption keys', spec: (s) => ({ ...s, output: { topic: 'out', producerConf: { cryptoConfig: { cryptoKeyReaderClassName: 'R' } } } }), field: 'spec.output.producerConf.cryptoConfig.encryptionKeys', message: 'encryptionKeys needs at least one key name' },
  { rule: 'crypto key reader class', spec: (s) => ({ ...s, output: { topic: 'out', producerConf: { cryptoConfig: { encryptionKeys: ['k'] } } } }), field: 'spec.output.producerConf.cryptoConfig.cryptoKeyReaderClassName', message: 'Required value' },
  { rule: 'window lag with extractor', spec: (s) => ({ ...s, windowConfig: { actualWindowFunctionClassName: 'W', windowLengthCount: 10, timestampExtractorClassName: 'T', maxLagMs: 0 } }), field: 'spec.windowConfig', message: 'must be > 0 with a timestampExtractorClassName' },
  { rule: 'no state store for golang', spec: (s) => ({ ...without(s, 'java', 'className'), golang: { go: 'fn' }, statefulConfig: { pulsar: { serviceUrl: 'bk://bk:4181' } } }), field: 'spec.statefulConfig', message: 'statefulConfig.pulsar is not supported with the golang runtime' },
  { rule: 'valid dead letter topic', spec: (s) => ({ ...s, deadLetterTopic: 'a/b', maxMessageRetry: 3 }), field: 'spec.deadLetterTopic', message: 'must be a Pulsar topic name' },
  { rule: 'valid log topic', spec: (s) => ({ ...s, logTopic: 'persistent://x' }), field: 'spec.logTopic', message: 'must be a Pulsar topic name' },
  { rule: 'a sink connector does not stand for input', spec: (s) => ({ ...without(s, 'input'), sinkConfig: { sinkType: 'elastic_search' } }), field: 'spec.input', message: 'or a source connector in sourceConfig' },
  { rule: 'sink needs input', kind: 'Sink', spec: (s) => without(s, 'input'), field: 'spec.input', message: 'input needs at least one topic' },
  { rule: 'sink deadLetterTopic', kind: 'Sink', spec: (s) => ({ ...s, deadLetterTopic: 'dlq', maxMessageRetry: 0 }), field: 'spec.maxMessageRetry', message: 'maxMessageRetry must be > 0' },
  { rule: 'source runtime', kind: 'Source', spec: (s) => ({ ...s, golang: { go: 'bin' } }), field: 'spec', message: 'exactly one runtime must be set' },
  { rule: 'mesh child names unique', kind: 'FunctionMesh', spec: (s) => ({ ...s, sinks: [{ ...mesh(s).sinks[0], name: 'exclaim' }] }), field: 'spec', message: 'child name "exclaim" is used more than once' },
  { rule: 'mesh children validated', kind: 'FunctionMesh', spec: (s) => ({ ...s, functions: [{ ...mesh(s).functions[0], deadLetterTopic: 'dlq' }] }), field: 'spec.functions[0].maxMessageRetry', message: 'maxMessageRetry must be > 0 when deadLetterTopic is set' },
  { rule: 'mesh child name + mesh name ≤ 43', kind: 'FunctionMesh', spec: (s) => ({ ...s, sinks: [{ ...mesh(s).sinks[0], name: 's'.repeat(41) }] }), field: 'spec.sinks', message: 'must be at most 43 characters' },
  { rule: 'mesh child names are DNS labels', kind: 'FunctionMesh', spec: (s) => ({ ...s, functions: [{ ...mesh(s).functions[0], name: 'Ex_1' }] }), field: 'spec.functions[0].name', message: 'should match' },
  { rule: 'mesh child names are required', kind: 'FunctionMesh', spec: (s) => ({ ...s, functions: [without(mesh(s).functions[0]!, 'name')] }), field: 'spec.functions[0].name', message: 'Required value' },
];

let ns: string;
beforeAll(async () => {
  await installCrds();
  ns = await createTestNamespace('api-validation');
});
afterAll(async () => {
  await deleteNamespace(ns);
});

const object = (kind: Kind, name: string, spec: Spec) => ({ apiVersion: API_VERSION, kind, metadata: { name }, spec });

function expectRejected(r: { code: number; stderr: string }, c: Case) {
  expect(r.code).not.toBe(0);
  expect(r.stderr).toContain(`${c.field}: `);
  expect(r.stderr).toContain(c.message);
}

describe('validation on the real apiserver', () => {
  it.each((['Function', 'Source', 'Sink', 'FunctionMesh'] as Kind[]).map((k) => [k]))('accepts the valid base %s', async (kind) => {
    const r = await applyObject(ns, object(kind, `valid-${kind.toLowerCase()}`, BASE[kind]));
    expect(r.stderr).toBe('');
  });

  it('accepts minReplicas 0 (scale to zero), which upstream rejects', async () => {
    const r = await applyObject(ns, object('Function', 'scale-to-zero', { ...BASE.Function, minReplicas: 0, maxReplicas: 5 }));
    expect(r.stderr).toBe('');
  });

  // What upstream's webhook fills in or relaxes is not required here (docs/api.md, Defaults).
  it.each([
    ['a window without actualWindowFunctionClassName (the className is used)', 'window-no-class', { ...BASE.Function, windowConfig: { windowLengthCount: 10 } }],
    ['a window with both sliding intervals (upstream accepts them; the runner slides by count)', 'window-both-slides', { ...BASE.Function, windowConfig: { windowLengthDurationMs: 3000, slidingIntervalCount: 5, slidingIntervalDurationMs: 1000 } }],
    ['a Function with a source connector and no input', 'embedded-source', { ...without(BASE.Function, 'input'), sourceConfig: { sourceType: 'kafka', configs: { topic: 't' } } }],
    ['a Function with an embedded batch source', 'embedded-batch', { ...without(BASE.Function, 'input'), sourceConfig: { className: 'org.example.In', batchSourceConfig: { discoveryTriggererClassName: 'T' } } }],
  ])('accepts %s', async (_, name, spec) => {
    const r = await applyObject(ns, object('Function', name, spec));
    expect(r.stderr).toBe('');
  });

  it.each(CASES.map((c, i) => [c.rule, i, c] as const))('rejects on create: %s', async (_, i, c) => {
    const kind = c.kind ?? 'Function';
    const r = await applyObject(ns, object(kind, c.name ?? `create-${i}`, c.spec(structuredClone(BASE[kind]))));
    expectRejected(r, c);
  });

  it.each(CASES.filter((c) => !c.name).map((c, i) => [c.rule, i, c] as const))('rejects on update: %s', async (_, i, c) => {
    const kind = c.kind ?? 'Function';
    const name = `update-${i}`; // short: mesh children are named <mesh>-<child>
    expect((await applyObject(ns, object(kind, name, BASE[kind]))).stderr).toBe('');
    // Same field manager: the apply below replaces the spec, removed fields included.
    const r = await applyObject(ns, object(kind, name, c.spec(structuredClone(BASE[kind]))));
    expectRejected(r, c);
  });

  it('covers at least 20 distinct rules on both create and update', () => {
    expect(CASES.filter((c) => !c.name).length).toBeGreaterThanOrEqual(20);
  });
});
