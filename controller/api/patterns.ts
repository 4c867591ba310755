// Regular expressions the schema enforces (OpenAPI `pattern`, RE2 and ECMAScript compatible).

const ENTITY = '[-=:.\\w]+'; // Pulsar tenant / namespace names
const LOCAL = '[^\\s/]+'; // a topic's local name

/**
 * A Pulsar topic as `adapters/pulsar/topic-name.ts` parses it: `persistent://tenant/ns/topic`
 * (or `non-persistent://`), `tenant/ns/topic`, or a bare name in public/default.
 */
export const TOPIC_PATTERN = `^((persistent|non-persistent)://${ENTITY}/${ENTITY}/${LOCAL}|${ENTITY}/${ENTITY}/${LOCAL}|${LOCAL})$`;
/** The same, also accepting "" (unset) for single optional topic fields. */
export const OPTIONAL_TOPIC_PATTERN = `^$|${TOPIC_PATTERN}`;
export const TOPIC_MAX_LENGTH = 512;
export const TOPICS_MAX_ITEMS = 1000;

const SEGMENT = '[^\\s/@:]+';
const VERSION = '(@[^\\s/@]+)?';

/**
 * Where a package (jar, py, go binary, nar) comes from. Empty means "already in the image".
 * Accepted: http(s) URLs; Pulsar package names `function://`, `source://`, `sink://tenant/ns/name[@version]`;
 * the legacy bare `tenant/ns/name[@version]` that old samples use; `builtin://connector`;
 * an absolute local path (optionally `file:`).
 */
export const LOCATION_PATTERN = [
  '^$',
  '^https?://\\S+$',
  `^(function|source|sink)://${SEGMENT}/${SEGMENT}/${SEGMENT}${VERSION}$`,
  `^${SEGMENT}/${SEGMENT}/${SEGMENT}${VERSION}$`,
  '^builtin://[^\\s/]+$',
  '^(file:)?/\\S*$',
].join('|');

/** RFC 1035 label: what a Service name (derived from the resource name) must be. */
export const DNS_LABEL_PATTERN = '^[a-z]([-a-z0-9]*[a-z0-9])?$';

/** A FunctionMesh child name: at least one character of mesh name and a dash precede it. */
export const MAX_CHILD_NAME_LENGTH = 41;
