// Flags of hack/make-oci-image → the image spec, with errors naming the flag and the fix.
import { parseArgs } from 'node:util';
import type { ImageSpec } from './oci-image.js';

const USAGE = `usage: hack/make-oci-image --rootfs DIR --name NAME:TAG --output FILE.tar
  [--entrypoint JSON-ARRAY] [--cmd JSON-ARRAY] [--user UID[:GID]] [--workdir /ABS]
  [--env NAME=value]... [--port 8080[/tcp]]... [--label key=value]... [--compression gzip|none]`;

function jsonArray(flag: string, value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new Error(`--${flag} ${value}: not JSON; write it as a JSON array of strings, e.g. '["node","main.js"]'`);
  }
  if (!Array.isArray(parsed) || !parsed.every((w) => typeof w === 'string')) {
    throw new Error(`--${flag} ${value}: write it as a JSON array of strings, e.g. '["node","main.js"]'`);
  }
  return parsed;
}

export function specFromArgs(argv: string[]): ImageSpec {
  const { values } = parseArgs({
    args: argv,
    options: {
      rootfs: { type: 'string' },
      name: { type: 'string' },
      output: { type: 'string' },
      entrypoint: { type: 'string' },
      cmd: { type: 'string' },
      user: { type: 'string' },
      workdir: { type: 'string' },
      env: { type: 'string', multiple: true },
      port: { type: 'string', multiple: true },
      label: { type: 'string', multiple: true },
      compression: { type: 'string' },
    },
    strict: true,
  });
  for (const required of ['rootfs', 'name', 'output'] as const) {
    if (!values[required]) throw new Error(`--${required} is required\n${USAGE}`);
  }
  const compression = values.compression ?? 'gzip';
  if (compression !== 'gzip' && compression !== 'none') throw new Error(`--compression ${compression}: use gzip or none`);
  const labels: Record<string, string> = {};
  for (const l of values.label ?? []) {
    const eq = l.indexOf('=');
    if (eq <= 0) throw new Error(`--label ${l}: write it as key=value`);
    labels[l.slice(0, eq)] = l.slice(eq + 1);
  }
  const entrypoint = jsonArray('entrypoint', values.entrypoint);
  const cmd = jsonArray('cmd', values.cmd);
  return {
    rootfs: values.rootfs!,
    name: values.name!,
    output: values.output!,
    compression,
    ...(entrypoint ? { entrypoint } : {}),
    ...(cmd ? { cmd } : {}),
    ...(values.user ? { user: values.user } : {}),
    ...(values.workdir ? { workdir: values.workdir } : {}),
    env: values.env ?? [],
    exposedPorts: values.port ?? [],
    labels,
  };
}
