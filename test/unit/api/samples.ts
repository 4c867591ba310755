// The upstream sample manifests our CRDs must accept unchanged.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

export { SAMPLES_DIR } from '../../support/samples.js';
import { SAMPLES_DIR } from '../../support/samples.js';

export interface SampleDoc {
  file: string;
  kind: string;
  object: Record<string, unknown> & { metadata: { name: string } };
}

/** Every custom resource (not the ConfigMaps and Secrets beside them) in the sample files. */
export function sampleResources(dir = SAMPLES_DIR): SampleDoc[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((file) =>
      YAML.parseAllDocuments(readFileSync(path.join(dir, file), 'utf8'))
        .map((d) => d.toJS() as SampleDoc['object'] | null)
        .filter((o): o is SampleDoc['object'] => !!o && String(o.apiVersion).startsWith('compute.functionmesh.io/'))
        .map((object) => ({ file, kind: String(object.kind), object })),
    );
}
