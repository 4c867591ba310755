// `npm run gen:crds`: writes manifests/crds/ and the field reference of docs/api.md from the
// schema source.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CRD_DIR, renderCrdFiles } from './crds.js';
import { DOCS_FILE, withFieldReference } from './field-docs.js';

mkdirSync(CRD_DIR, { recursive: true });
for (const [name, content] of renderCrdFiles()) {
  writeFileSync(path.join(CRD_DIR, name), content);
  console.log(`wrote ${path.join(CRD_DIR, name)}`);
}
writeFileSync(DOCS_FILE, withFieldReference(readFileSync(DOCS_FILE, 'utf8')));
console.log(`updated the field reference in ${DOCS_FILE}`);
