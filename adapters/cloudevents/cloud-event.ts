// A CloudEvent (spec v1.0) as the bridge carries it: every attribute in its canonical string form
// (what binary HTTP headers and Pulsar properties hold) and the data as raw bytes, so a payload
// passes through byte for byte whatever its content type.

export interface CloudEvent {
  /** specversion, id, source, type, and optional time, subject, datacontenttype, dataschema, extensions. */
  attributes: Record<string, string>;
  data?: Buffer;
}

export const REQUIRED_ATTRIBUTES = ['specversion', 'id', 'source', 'type'] as const;

/** A CloudEvent that breaks the spec; `status` is what an HTTP receiver answers (400). */
export class CloudEventError extends Error {
  readonly status = 400;
}

const NAME = /^[a-z0-9]+$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const MEDIA_TYPE = /^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/;

export function isValidAttributeName(name: string): boolean {
  return NAME.test(name);
}

/** Every way the attributes break CloudEvents 1.0, each naming the attribute and the fix. */
export function cloudEventProblems(attributes: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const name of REQUIRED_ATTRIBUTES) {
    if (!attributes[name]) problems.push(`attribute "${name}" is required and must not be empty`);
  }
  const { specversion, source, time, datacontenttype, dataschema } = attributes;
  if (specversion && specversion !== '1.0') problems.push(`specversion "${specversion}" is not supported: use "1.0"`);
  if (source && /\s/.test(source)) problems.push(`source "${source}" is not a URI-reference: it must not contain spaces`);
  if (time !== undefined && !(RFC3339.test(time) && !Number.isNaN(Date.parse(time)))) {
    problems.push(`time "${time}" is not an RFC 3339 timestamp such as 2024-05-01T12:00:00Z`);
  }
  if (datacontenttype !== undefined && !MEDIA_TYPE.test(datacontenttype)) {
    problems.push(`datacontenttype "${datacontenttype}" is not a media type such as application/json`);
  }
  if (dataschema !== undefined && (!dataschema || /\s/.test(dataschema))) {
    problems.push(`dataschema "${dataschema}" is not a URI`);
  }
  for (const name of Object.keys(attributes)) {
    if (!isValidAttributeName(name)) problems.push(`attribute name "${name}" is invalid: use lowercase letters a-z and digits 0-9 only`);
  }
  return problems;
}

export function assertValidCloudEvent(event: CloudEvent): CloudEvent {
  const problems = cloudEventProblems(event.attributes);
  if (problems.length) throw new CloudEventError(`invalid CloudEvent: ${problems.join('; ')}`);
  return event;
}
