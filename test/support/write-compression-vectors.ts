// Regenerates test/unit/pulsar/fixtures/compression-vectors.json with Pulsar's Java codecs
// (test/support/java/CompressionVectors.java): `npx tsx test/support/write-compression-vectors.ts`.
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { interopClasspath } from './java-interop.js';

const out = path.resolve(import.meta.dirname, '../unit/pulsar/fixtures/compression-vectors.json');
mkdirSync(path.dirname(out), { recursive: true });
await promisify(execFile)('java', ['-cp', await interopClasspath(), 'CompressionVectors', out], { timeout: 120_000 });
console.log(`wrote ${out}`);
