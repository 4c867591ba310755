// The downloader image's `wget`: the controller renders `wget -O FILE URL` for http(s) package
// URLs. Busybox's wget speaks TLS with its own small implementation, which failed the handshake
// with OpenSSL 3 servers here; this one uses node's TLS (its CA bundle, plus NODE_EXTRA_CA_CERTS)
// and follows redirects. It knows only `-O FILE URL` (also `-O FILE` after the URL, `-q`).
import { createWriteStream, mkdirSync } from 'node:fs';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';

export function parseWgetArgs(argv: string[]): { output: string; url: string } {
  let output: string | undefined;
  const urls: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-O') output = argv[++i];
    else if (a.startsWith('-O')) output = a.slice(2);
    else if (a === '-q') continue;
    else if (a.startsWith('-')) throw new Error(`${a}: this wget knows only -O FILE URL (and -q)`);
    else urls.push(a);
  }
  if (!output || urls.length !== 1) throw new Error('usage: wget -O FILE URL');
  if (!/^https?:\/\//.test(urls[0]!)) throw new Error(`${urls[0]}: only http:// and https:// URLs`);
  return { output, url: urls[0]! };
}

function fetchFollowing(url: string, redirects = 10): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const get = url.startsWith('https:') ? httpsGet : httpGet;
    get(url, (res) => {
      const location = res.headers.location;
      if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && location) {
        res.resume();
        if (redirects === 0) return reject(new Error(`${url}: too many redirects`));
        return resolve(fetchFollowing(new URL(location, url).toString(), redirects - 1));
      }
      resolve(res);
    }).on('error', reject);
  });
}

export async function wget(argv: string[]): Promise<void> {
  const { output, url } = parseWgetArgs(argv);
  const res = await fetchFollowing(url);
  if (res.statusCode !== 200) {
    res.resume();
    throw new Error(`${url}: HTTP ${res.statusCode}`);
  }
  mkdirSync(dirname(output), { recursive: true });
  await pipeline(res, createWriteStream(output));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  wget(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`wget: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
