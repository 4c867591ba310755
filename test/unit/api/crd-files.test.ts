// The committed manifests/crds/ must be what the schema source generates today.
import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { CRD_DIR, KUSTOMIZATION_FILE, renderCrdFiles } from '../../../controller/api/index.js';
import { DOCS_FILE, withFieldReference } from '../../../controller/api/field-docs.js';

describe('manifests/crds', () => {
  const expected = renderCrdFiles();

  it('holds exactly the generated files', () => {
    expect(readdirSync(CRD_DIR).sort()).toEqual([...expected.keys()].sort());
  });

  it.each([...expected.keys()])('%s is up to date (run `npm run gen:crds` if not)', (name) => {
    expect(readFileSync(path.join(CRD_DIR, name), 'utf8')).toBe(expected.get(name));
  });

  // kubectl reads YAML 1.1, where a plain `off`, `yes` or `no` is a boolean: the files must mean the same in both.
  it.each([...expected.keys()])('%s reads the same as YAML 1.1 (kubectl) and 1.2', (name) => {
    const text = expected.get(name)!;
    expect(YAML.parse(text, { version: '1.1' })).toEqual(YAML.parse(text));
  });

  it('lists every CRD in the Kustomization', () => {
    const kustomization = YAML.parse(expected.get(KUSTOMIZATION_FILE)!) as { resources: string[] };
    expect(kustomization.resources.sort()).toEqual([...expected.keys()].filter((n) => n !== KUSTOMIZATION_FILE).sort());
  });
});

describe('docs/api.md', () => {
  it('carries the current field reference (run `npm run gen:crds` if not)', () => {
    const doc = readFileSync(DOCS_FILE, 'utf8');
    expect(doc).toBe(withFieldReference(doc));
  });
});
