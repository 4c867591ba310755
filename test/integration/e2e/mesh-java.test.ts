// The whole product on real pods, variant (b): the mesh's function is Pulsar's
// ExclamationFunction on the Java runner image, started by exactly the command line the
// controller renders; its jar is a function:// package in the platform's Pulsar package
// management (the platform's own api-examples jar), fetched by the rendered init container (the
// downloader image). Source and sink stay HTTP. The steps and assertions are in mesh-scenario.ts.
import { readPlatformEnv } from '../../support/platform.js';
import { apiExamplesJar, declareStringSchema, javaExclamation, uploadFunctionPackage } from '../../support/pulsar-packages.js';
import { describeMesh } from './mesh-scenario.js';

describeMesh('the mesh with a Java-runner function on real pods', 'e2e-java', ['downloader', 'java-runner'], async ({ ns, topics }) => {
  const web = readPlatformEnv().PULSAR_WEB_URL;
  const pkg = await uploadFunctionPackage(web, `${ns}-exclamation`, 'v1', apiExamplesJar());
  // STRING on both topics before any client attaches.
  for (const topic of [topics.raw, topics.shouted]) await declareStringSchema(web, topic);
  return javaExclamation(pkg);
});
