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

/**
 * A bash function printing its argument as a JSON string: quotes and backslashes escaped, control
 * characters as \u00XX (JSON forbids them raw). For documents filled in at start from env vars,
 * whose values may be anything: a Secret's value often ends in a newline, an OAuth2 parameter is
 * JSON itself.
 */
export const JSON_STRING_FUNCTION =
  `json_string() { local s=$1 c o r i; s=\${s//'\\'/'\\\\'}; s=\${s//'"'/'\\"'}; ` +
  `for ((i = 1; i < 32; i++)); do printf -v o '\\\\%o' "$i"; printf -v c "$o"; printf -v r '\\\\u%04x' "$i"; s=\${s//"$c"/"$r"}; done; ` +
  `printf '"%s"' "$s"; }`;

/** The value of env var `name` as a JSON string (a double-quoted shell word); needs JSON_STRING_FUNCTION. */
export function envJsonString(name: string): string {
  return `"$(json_string "$${name}")"`;
}
