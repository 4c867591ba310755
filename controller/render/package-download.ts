// Packages (jar, nar, py, zip, Go binary) that live outside the image are fetched before the
// runner starts, by an init container into an emptyDir the runner reads: pulsarctl for Pulsar
// package names, wget for http(s) URLs. This is Function Mesh's init-container mode, always on.
import type { V1Container, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { WorkloadResource } from '../api/index.js';
import type { RenderSettings } from './context.js';
import { componentOf } from './names.js';
import { PACKAGE_SERVICE_MOUNTS, RUNTIME_MOUNTS, connectionFiles, pulsarEnvFrom, pulsarctl } from './pulsar-connection.js';
import { shellQuote } from './shell.js';

const DOWNLOAD_DIR = '/pulsar/download';
const DOWNLOADER_VOLUME = 'downloader-volume';

type PackageSource =
  | { kind: 'image'; path: string }
  | { kind: 'http'; url: string }
  | { kind: 'package'; name: string };

/**
 * Where a package comes from. Empty and `builtin://` mean the image has it at `file`; an absolute
 * path (or `file:` URL) names the file in the image; the legacy `tenant/ns/name[@version]` is read
 * as a package name of the resource's own type (`function://`, `source://`, `sink://`).
 */
function packageSource(resource: WorkloadResource, file: string, location: string | undefined): PackageSource {
  const loc = location?.trim() ?? '';
  if (!loc || loc.startsWith('builtin://')) return { kind: 'image', path: file };
  if (/^https?:\/\//.test(loc)) return { kind: 'http', url: loc };
  if (/^(function|source|sink):\/\//.test(loc)) return { kind: 'package', name: loc };
  if (loc.startsWith('/') || loc.startsWith('file:')) return { kind: 'image', path: loc.replace(/^file:(\/\/)?/, '') || file };
  return { kind: 'package', name: `${componentOf(resource)}://${loc}` };
}

export interface PackagePlan {
  /** Path of the package as the runner sees it. */
  path: string;
  initContainer?: V1Container;
  volumes: V1Volume[];
  /** Mount of the download directory into the runner. */
  mount?: V1VolumeMount;
}

/** `executable`: chmod +x after download (Go binaries). */
export function planPackage(
  resource: WorkloadResource,
  file: string,
  location: string | undefined,
  settings: RenderSettings,
  executable = false,
): PackagePlan {
  const source = packageSource(resource, file, location);
  if (source.kind === 'image') return { path: source.path, volumes: [] };

  const spec = resource.spec;
  const fromPackageService = Boolean(spec.pulsarPackageService);
  const service = spec.pulsarPackageService ?? spec.pulsar;
  const paths = fromPackageService ? PACKAGE_SERVICE_MOUNTS : RUNTIME_MOUNTS;
  const files = connectionFiles(service, paths);
  const dest = `${DOWNLOAD_DIR}/${basename(file)}`;
  const fetch =
    source.kind === 'http'
      ? `wget -O ${shellQuote(dest)} ${shellQuote(source.url)}`
      : `${pulsarctl(service, fromPackageService ? 'PACKAGE_' : '', paths)} packages download ${shellQuote(source.name)} --path ${shellQuote(dest)}`;
  const script = executable ? `${fetch} && chmod +x ${shellQuote(dest)}` : fetch;

  const mount = { name: DOWNLOADER_VOLUME, mountPath: DOWNLOAD_DIR };
  return {
    path: dest,
    mount,
    volumes: [{ name: DOWNLOADER_VOLUME, emptyDir: {} }, ...files.volumes],
    initContainer: {
      name: 'downloader',
      image: spec.downloaderImage || settings.downloaderImage,
      imagePullPolicy: 'IfNotPresent',
      command: ['sh', '-c', script],
      // pulsarctl keeps its config under $HOME, which must be writable.
      env: [{ name: 'HOME', value: '/tmp' }],
      envFrom: pulsarEnvFrom(service, fromPackageService ? 'PACKAGE_' : ''),
      volumeMounts: [mount, ...files.mounts],
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    },
  };
}

function basename(path: string): string {
  return path.split('/').filter(Boolean).pop() ?? path;
}
