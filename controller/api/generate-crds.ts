// `npm run gen:crds`: writes manifests/crds/ from the schema source.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CRD_DIR, renderCrdFiles } from './crds.js';

mkdirSync(CRD_DIR, { recursive: true });
for (const [name, content] of renderCrdFiles()) {
  writeFileSync(path.join(CRD_DIR, name), content);
  console.log(`wrote ${path.join(CRD_DIR, name)}`);
}
