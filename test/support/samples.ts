// Function Mesh's own sample manifests: shared/ sits beside the repository (in CI too).
import path from 'node:path';

export const SAMPLES_DIR = path.resolve(import.meta.dirname, '../../../shared/compat/function-mesh-samples');
