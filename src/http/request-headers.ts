/**
 * The request headers the service reads, each with the one pattern that both validates it and
 * documents it in OpenAPI, so a client generated from the document sends only what is accepted
 * (a lenient header refuses nothing, so its document admits every value).
 *
 * Node decodes header bytes as Latin-1, so a header value never holds a character above U+00FF.
 */
import { platformProblems } from './problem-types.js';
import { httpProblem, type HttpProblem } from './problem.js';

export interface HeaderRule {
  readonly name: string;
  readonly pattern: RegExp;
  /** Completes "<name> must be …" in a refusal. */
  readonly expected: string;
  readonly description: string;
  /** Where it is read: on every request, on `/v1` operations, or on their POSTs. */
  readonly on: 'every-request' | 'operations' | 'writes';
  /** True when a value off the pattern is ignored rather than refused. */
  readonly lenient?: boolean;
}

/**
 * Every value HTTP carries to the service: Node refuses control characters itself (a bare 400),
 * and strips the spaces around a value before anyone reads it.
 */
export const ANY_FIELD_VALUE = /^[\t\x20-\x7e\u0080-\u00ff]*$/;

/** The values a request may send: a lenient header takes any, since none is refused. */
export function documentedPattern(rule: HeaderRule): RegExp {
  return rule.lenient ? ANY_FIELD_VALUE : rule.pattern;
}

const SAFE_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

export const requestHeaders = {
  requestId: {
    name: 'X-Request-Id',
    pattern: SAFE_ID,
    expected: '1-128 letters, digits or ._:@/+=-',
    description:
      'Names this request in logs and event metadata and is echoed back. Any value is accepted: one of 1-128 letters, digits or ._:@/+=- is used as it is, any other is replaced by a generated id.',
    on: 'every-request',
    lenient: true,
  },
  correlationId: {
    name: 'X-Correlation-Id',
    pattern: SAFE_ID,
    expected: '1-128 letters, digits or ._:@/+=-',
    description:
      'Joins the events of one business flow; generated when absent, echoed back, stored on every event the request writes.',
    on: 'every-request',
  },
  onBehalfOf: {
    name: 'X-On-Behalf-Of',
    // Not starting or ending with a space: HTTP strips those, so such a value never arrives.
    // Nor with a no-break space or a soft hyphen, which show nothing: a name of only those is
    // blank, like a body's text.
    pattern:
      /^[\x21-\x7e\u00a1-\u00ac\u00ae-\u00ff](?:[\x20-\x7e\u00a0-\u00ff]{0,198}[\x21-\x7e\u00a1-\u00ac\u00ae-\u00ff])?$/,
    expected: 'a user name of 1-200 printable characters',
    description: 'The end user the calling service acts for; stored as onBehalfOf.',
    on: 'operations',
  },
  idempotencyKey: {
    name: 'Idempotency-Key',
    pattern: /^[\x21-\x7e]{1,255}$/,
    expected: '1-255 printable ASCII characters',
    description:
      'A retry with the same key and body returns the first response (with Idempotent-Replayed: true) and writes nothing; the same key with another body is a 422.',
    on: 'writes',
  },
  ifMatch: {
    name: 'If-Match',
    pattern: /^(?:\*|(?:W\/)?"?\d{1,19}"?)$/,
    expected: 'an ETag we issued, like "3"',
    description:
      'The ETag (stream revision) last seen; the command is refused with 412 if the record has moved on since. `*` matches any revision.',
    on: 'writes',
  },
} as const satisfies Record<string, HeaderRule>;

export function invalidHeader(rule: HeaderRule): HttpProblem {
  const header = rule.name.toLowerCase();
  return httpProblem(platformProblems.invalidHeader, `${rule.name} must be ${rule.expected}`, {
    errors: [{ path: `header.${header}`, message: `must be ${rule.expected}` }],
  });
}

/** The header's value when it is present and well formed; absent: undefined; else a 400. */
export function readHeader(
  get: (name: string) => string | undefined,
  rule: HeaderRule,
): string | undefined {
  const value = get(rule.name);
  if (value === undefined) return undefined;
  if (!rule.pattern.test(value)) {
    if (rule.lenient) return undefined;
    throw invalidHeader(rule);
  }
  return value;
}

/** If-Match carries the ETag we issued: the stream revision in quotes. `*` asks for nothing. */
export function readIfMatch(get: (name: string) => string | undefined): bigint | undefined {
  const value = readHeader(get, requestHeaders.ifMatch);
  if (value === undefined || value === '*') return undefined;
  return BigInt(/\d+/.exec(value)![0]);
}

/** Response headers the service sets, as documented on each answer. */
export const responseHeaders = {
  'X-Request-Id': 'The id this request is logged and recorded under.',
  'X-Correlation-Id': 'The correlation id the request ran under (given or generated).',
  ETag: "The revision of the record's stream, quoted: send it back as If-Match.",
  'X-Position': "The global log position of the write's last event: use it as ?consistentWith=.",
  Location: 'The URL of the record.',
  'Idempotent-Replayed':
    '`true` when this is the stored answer to an earlier request with the same Idempotency-Key.',
  'Retry-After': 'Seconds to wait before retrying.',
  'WWW-Authenticate': 'The authentication scheme: Bearer.',
} as const;

export type ResponseHeaderName = keyof typeof responseHeaders;
