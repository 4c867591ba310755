// Extension: backlog-driven autoscaling through a KEDA ScaledObject. `minReplicas: 0` turns on
// scale to zero; these settings tune how the scaler reads the Pulsar backlog.
import Type from 'typebox';
import { Int32, Int64 } from './schema-kit.js';

const opt = Type.Optional;

export const Scaling = Type.Object(
  {
    targetBacklogPerReplica: opt(
      Int64({ minimum: 1, default: 10, description: 'Backlog (unacked messages) each replica should handle.' }),
    ),
    activationBacklog: opt(
      Int64({ minimum: 0, default: 0, description: 'Backlog above which a scaled-to-zero workload wakes up.' }),
    ),
    cooldownPeriod: opt(
      Int32({ minimum: 0, default: 300, description: 'Seconds without backlog before scaling to zero.' }),
    ),
    pollingInterval: opt(Int32({ minimum: 1, default: 30, description: 'Seconds between backlog checks.' })),
    pushActivation: opt(
      Type.Boolean({
        default: true,
        description: 'Wake from zero as soon as a message arrives (pushed to KEDA) instead of at the next poll.',
      }),
    ),
  },
  { description: 'Extension: KEDA ScaledObject settings; used when minReplicas is 0 or scaling is set.' },
);
