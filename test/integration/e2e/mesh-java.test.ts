// The whole product on real pods, variant (b): the mesh's function is Pulsar's
// ExclamationFunction on the Java runner image, started by exactly the command line the
// controller renders; its jar is a function:// package in the platform's Pulsar package
// management, fetched by the rendered init container (the downloader image). Source and sink stay
// HTTP. The steps and their assertions are in mesh-scenario.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { readPlatformEnv } from '../../support/platform.js';
import { describeMesh } from './mesh-scenario.js';

const CACHE = process.env.FM_CACHE ?? path.join(homedir(), '.cache/function-mesh-ts');

/** Pulsar's example functions, from the platform broker's own jars (hack/build-pulsar). */
function apiExamplesJar(): string {
  for (const dir of readdirSync(CACHE).filter((d) => /^pulsar-\d/.test(d))) {
    const jar = readdirSync(path.join(CACHE, dir, 'lib')).find((f) => f.startsWith('pulsar-functions-api-examples-'));
    if (jar) return path.join(CACHE, dir, 'lib', jar);
  }
  throw new Error(`no pulsar-functions-api-examples jar under ${CACHE}/pulsar-*/lib: run hack/build-pulsar`);
}

async function uploadPackage(url: string, file: string): Promise<void> {
  const form = new FormData();
  form.append('file', new Blob([readFileSync(file)]), path.basename(file));
  form.append('metadata', new Blob([JSON.stringify({ description: 'ExclamationFunction' })], { type: 'application/json' }));
  const res = await fetch(url, { method: 'POST', body: form });
  if (!res.ok) throw new Error(`package upload to ${url}: HTTP ${res.status} ${await res.text()}`);
}

async function declareStringSchema(web: string, topic: string): Promise<void> {
  const res = await fetch(`${web}/admin/v2/schemas/${topic.replace('persistent://', '')}/schema`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ type: 'STRING', schema: '', properties: {} }),
  });
  if (!res.ok) throw new Error(`STRING schema of ${topic}: HTTP ${res.status} ${await res.text()}`);
}

describeMesh('the mesh with a Java-runner function on real pods', 'e2e-java', ['downloader', 'java-runner'], async ({ ns, topics }) => {
  const web = readPlatformEnv().PULSAR_WEB_URL;
  const pkg = `${ns}-exclamation`;
  await uploadPackage(`${web}/admin/v3/packages/function/public/default/${pkg}/v1`, apiExamplesJar());
  // ExclamationFunction is a Function<String, String>: its topics carry STRING, declared before
  // any client attaches (the bridges' schemaless clients are accepted on a STRING topic).
  for (const topic of [topics.raw, topics.shouted]) await declareStringSchema(web, topic);
  return {
    className: 'org.apache.pulsar.functions.api.examples.ExclamationFunction',
    java: { jar: 'exclamation.jar', jarLocation: `function://public/default/${pkg}@v1` },
    input: { typeClassName: 'java.lang.String' },
    output: { typeClassName: 'java.lang.String' },
    resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } },
  };
});
