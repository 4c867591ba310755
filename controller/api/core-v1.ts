// The core/v1 pieces the spec embeds. Typed where our rules or the controller read them
// (resources, env names, mounts); free-form where Kubernetes validates them when the pod is made.
import Type from 'typebox';
import { FreeForm, Quantity, StringEnum, StringMap, cel, rules } from './schema-kit.js';

const opt = Type.Optional;

const ResourceList = (description: string) => opt(StringMap(Quantity(), { description }));

const memory = (list: 'requests' | 'limits') => `string(self.${list}.memory)`;
const hasMemory = (list: 'requests' | 'limits') =>
  `has(self.${list}) && 'memory' in self.${list} && isQuantity(${memory(list)})`;

export const ResourceRequirements = Type.Object(
  {
    requests: ResourceList('Minimum compute resources (cpu, memory, ...) per pod.'),
    limits: ResourceList('Maximum compute resources (cpu, memory, ...) per pod.'),
    claims: opt(Type.Array(Type.Object({ name: Type.String(), request: opt(Type.String()) }), { maxItems: 16 })),
  },
  {
    description: 'core/v1 ResourceRequirements of the main container.',
    ...rules(
      cel(
        `!(${hasMemory('requests')}) || quantity(${memory('requests')}).isGreaterThan(quantity('0'))`,
        'resources.requests.memory must be greater than 0: set a positive quantity such as 512Mi, or remove it',
      ),
      cel(
        `!(${hasMemory('limits')}) || quantity(${memory('limits')}).isGreaterThan(quantity('0'))`,
        'resources.limits.memory must be greater than 0: set a positive quantity such as 1Gi, or remove it',
      ),
      cel(
        `!(${hasMemory('requests')} && ${hasMemory('limits')}) || ` +
          `quantity(${memory('requests')}).compareTo(quantity(${memory('limits')})) <= 0`,
        'resources.requests.memory must not exceed resources.limits.memory: lower the request or raise the limit',
      ),
    ),
  },
);

export const EnvVar = Type.Object({
  name: Type.String({ minLength: 1, description: 'Environment variable name.' }),
  value: opt(Type.String()),
  valueFrom: opt(FreeForm('core/v1 EnvVarSource: secretKeyRef, configMapKeyRef, fieldRef, resourceFieldRef.')),
});

export const EnvList = (description: string) => Type.Array(EnvVar, { description, maxItems: 256 });

export const VolumeMount = Type.Object({
  name: Type.String({ minLength: 1, description: 'Name of a volume in pod.volumes.' }),
  mountPath: Type.String({ minLength: 1 }),
  readOnly: opt(Type.Boolean()),
  subPath: opt(Type.String()),
  subPathExpr: opt(Type.String()),
  mountPropagation: opt(Type.String()),
  recursiveReadOnly: opt(Type.String()),
});

export const LocalObjectReference = Type.Object({ name: Type.String({ description: 'Name of the object.' }) });

/** An env var filled from a Secret: `path` is the Secret's name (upstream's naming), `key` its key. */
export const SecretRef = Type.Object({
  path: Type.String({ minLength: 1, description: 'Name of the Secret.' }),
  key: Type.String({ minLength: 1, description: 'Key inside the Secret.' }),
});

export const ImagePullPolicy = StringEnum(['Always', 'Never', 'IfNotPresent'], {
  description: 'Pull policy of the main container image.',
});
