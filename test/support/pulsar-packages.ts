// Pulsar's package management and schemas, for suites and benches that run a Java function from
// a function:// package: the example jar of the platform's own Pulsar, uploaded; STRING declared.
import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

const CACHE = process.env.FM_CACHE ?? path.join(homedir(), '.cache/function-mesh-ts');

/** Pulsar's example functions (ExclamationFunction), from the platform broker's jars (hack/build-pulsar). */
export function apiExamplesJar(): string {
  for (const dir of readdirSync(CACHE).filter((d) => /^pulsar-\d/.test(d))) {
    const jar = readdirSync(path.join(CACHE, dir, 'lib')).find((f) => f.startsWith('pulsar-functions-api-examples-'));
    if (jar) return path.join(CACHE, dir, 'lib', jar);
  }
  throw new Error(`no pulsar-functions-api-examples jar under ${CACHE}/pulsar-*/lib: run hack/build-pulsar`);
}

/** Uploads `file` as function://public/default/<name>@<version>; resolves with that URL. */
export async function uploadFunctionPackage(web: string, name: string, version: string, file: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([readFileSync(file)]), path.basename(file));
  form.append('metadata', new Blob([JSON.stringify({ description: name })], { type: 'application/json' }));
  const res = await fetch(`${web}/admin/v3/packages/function/public/default/${name}/${version}`, { method: 'POST', body: form });
  if (!res.ok) throw new Error(`package upload of ${name}@${version}: HTTP ${res.status} ${await res.text()}`);
  return `function://public/default/${name}@${version}`;
}

/** Declares a STRING schema on the topic, before any client attaches (the bridges' schemaless clients are accepted then). */
export async function declareStringSchema(web: string, topic: string): Promise<void> {
  const res = await fetch(`${web}/admin/v2/schemas/${topic.replace('persistent://', '')}/schema`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ type: 'STRING', schema: '', properties: {} }),
  });
  if (!res.ok) throw new Error(`STRING schema of ${topic}: HTTP ${res.status} ${await res.text()}`);
}

/** ExclamationFunction from a function:// package, as a Function's (or mesh member's) spec fields. */
export function javaExclamation(packageUrl: string): Record<string, unknown> {
  return {
    className: 'org.apache.pulsar.functions.api.examples.ExclamationFunction',
    java: { jar: 'exclamation.jar', jarLocation: packageUrl },
    // ExclamationFunction is a Function<String, String>.
    input: { typeClassName: 'java.lang.String' },
    output: { typeClassName: 'java.lang.String' },
    resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } },
  };
}
