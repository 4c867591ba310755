// The core/v1 pieces the spec embeds. Typed where our rules or the controller read them
// (resources, env names, mounts); free-form where Kubernetes validates them when the pod is made.
import Type from 'typebox';
import { FreeForm, Quantity, StringEnum, StringMap } from './schema-kit.js';

const opt = Type.Optional;

const ResourceList = (description: string) => opt(StringMap(Quantity(), { description, maxProperties: 32 }));

// Memory request ≤ limit (an upstream rule) is not a CEL rule here: quantities are int-or-string,
// which CEL sees as unbounded dyn values, and the apiserver rejects quantity() rules on them as far
// over the cost budget. Kubernetes enforces requests ≤ limits on the pod template itself, and the
// controller reports that failure in the Ready condition.
export const ResourceRequirements = Type.Object(
  {
    requests: ResourceList('Minimum compute resources (cpu, memory, ...) per pod.'),
    limits: ResourceList('Maximum compute resources (cpu, memory, ...) per pod.'),
    claims: opt(
      Type.Array(
        Type.Object({
          name: Type.String({ description: 'Name of a pod resource claim.' }),
          request: opt(Type.String({ description: 'Request within that claim.' })),
        }),
        { maxItems: 16, description: 'Dynamic resource claims used by the container.' },
      ),
    ),
  },
  { description: 'core/v1 ResourceRequirements of the main container.' },
);

const EnvVar = Type.Object({
  name: Type.String({ minLength: 1, description: 'Environment variable name.' }),
  value: opt(Type.String({ description: 'Literal value.' })),
  valueFrom: opt(FreeForm('core/v1 EnvVarSource: secretKeyRef, configMapKeyRef, fieldRef, resourceFieldRef.')),
});

export const EnvList = (description: string) => Type.Array(EnvVar, { description, maxItems: 256 });

export const VolumeMount = Type.Object({
  name: Type.String({ minLength: 1, description: 'Name of a volume in pod.volumes.' }),
  mountPath: Type.String({ minLength: 1, description: 'Path in the container.' }),
  readOnly: opt(Type.Boolean({ description: 'Mount read-only.' })),
  subPath: opt(Type.String({ description: 'Sub-path of the volume to mount.' })),
  subPathExpr: opt(Type.String({ description: 'subPath with $(VAR) expansion.' })),
  mountPropagation: opt(Type.String({ description: 'None, HostToContainer or Bidirectional.' })),
  recursiveReadOnly: opt(Type.String({ description: 'Disabled, IfPossible or Enabled.' })),
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
