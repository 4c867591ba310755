// The whole product on real pods, variant (a): a FunctionMesh whose source, function and sink are
// all Knative-style HTTP (the bridge sidecar beside the SDK's example image). The steps and their
// assertions are in mesh-scenario.ts.
import { describeMesh } from './mesh-scenario.js';

describeMesh('the HTTP mesh on real pods', 'e2e-http', [], async ({ images }) => ({
  // the SDK's example function: appends "!"
  className: 'exclamation',
  // One event at a time per pod: one pod cannot keep up with the Source, so the backlog grows
  // and KEDA's HPA takes the function to 3 while the stream still runs.
  maxPendingAsyncRequests: 1,
  http: { image: images.example, port: 8080 },
}));
