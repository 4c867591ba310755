// The runner and downloader commands are `bash -c` / `sh -c` scripts (they read the Pulsar URLs
// and credentials from env vars at start), so every literal placed in them is quoted here.

/** `'value'`, safe for any content: a `'` becomes `'"'"'`. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'"'"'`)}'`;
}

/** A reference to an env var, double-quoted so an empty or spaced value stays one word. */
export function envRef(name: string, fallback?: string): string {
  return fallback === undefined ? `"$${name}"` : `"\${${name}:-${fallback}}"`;
}

/**
 * `text` as one shell word in which each token is replaced by a shell expansion, e.g. a JSON
 * document whose instance id is only known when the pod starts.
 */
export function shellTemplate(text: string, tokens: Readonly<Record<string, string>>): string {
  const names = Object.keys(tokens).sort((a, b) => b.length - a.length);
  const pattern = new RegExp(`(${names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`);
  return text
    .split(pattern)
    .map((part) => (Object.hasOwn(tokens, part) ? tokens[part] : part === '' ? '' : shellQuote(part)))
    .join('');
}
