// Command line of hack/make-oci-image: flags → buildOciImage, one JSON line with the result.
import { specFromArgs } from './make-oci-image-args.js';
import { buildOciImage } from './oci-image.js';

async function main(): Promise<void> {
  const spec = specFromArgs(process.argv.slice(2));
  const built = await buildOciImage(spec);
  process.stdout.write(`${JSON.stringify(built)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`make-oci-image: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
