/**
 * The registry of problem types: every `type` an error answer can carry, with its status, title
 * and what it means. `docs/problems.md` is generated from it (`npm run docs`), a test checks the
 * file is current, and every answer's `type` is the URN of one entry, whose slug is the
 * entry's anchor in that file.
 */
import type { DomainRefusal } from '../domain/shared/errors.js';

export interface ProblemType {
  /** Stable, lower-case kebab case; the last part of the type URN and the docs anchor. */
  readonly slug: string;
  readonly status: number;
  readonly title: string;
  /** When it is answered and what the caller can do about it. */
  readonly description: string;
}

export const PROBLEM_TYPE_PREFIX = 'urn:backoffice:problem:';

export const problemTypeUri = (slug: string) => `${PROBLEM_TYPE_PREFIX}${slug}`;

const STATUS_OF_KIND: Readonly<Record<DomainRefusal['kind'], number>> = {
  invalid: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
};

/** A decider's refusal code as a slug: `PeriodClosed` → `period-closed`. */
export function slugOfCode(code: string): string {
  return code.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** A decider's refusal code as a title: `PeriodClosed` → `Period closed`. */
export function titleOfCode(code: string): string {
  const words = code.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function statusOfKind(kind: DomainRefusal['kind']): number {
  return STATUS_OF_KIND[kind];
}

/** The problem types of a module's refusals, by code: `{ PeriodClosed: ['conflict', '...'] }`. */
export function refusalProblems(
  refusals: Readonly<Record<string, readonly [DomainRefusal['kind'], string]>>,
): ProblemType[] {
  return Object.entries(refusals).map(([code, [kind, description]]) => ({
    slug: slugOfCode(code),
    status: statusOfKind(kind),
    title: titleOfCode(code),
    description,
  }));
}

const problem = (slug: string, status: number, title: string, description: string) =>
  ({ slug, status, title, description }) satisfies ProblemType;

/** Problems the HTTP layer answers for any module. */
export const platformProblems = {
  validation: problem(
    'validation',
    400,
    'Invalid request',
    'The path, query or body does not match the operation (a body that is JSON but not an object included): `errors` lists each offending part (`path`, `message`), unknown fields included, at most 50 of them, and `errorsOmitted` counts the rest. Nothing was written.',
  ),
  invalidHeader: problem(
    'invalid-header',
    400,
    'Invalid header',
    'A header the service reads (`X-Correlation-Id`, `X-On-Behalf-Of`, `Idempotency-Key`, `If-Match`) has a value outside its documented pattern.',
  ),
  invalidQuery: problem(
    'invalid-query',
    400,
    'Invalid query',
    'A cursor that does not decode, or that belongs to another list or other filters. Start again from the first page.',
  ),
  malformedJson: problem('malformed-json', 400, 'Malformed JSON', 'The body is not valid JSON.'),
  invalidOccurredAt: problem(
    'invalid-occurred-at',
    400,
    'Invalid occurred at',
    "The command's `occurredAt` (its business time) is in the future: it must be no later than the server's clock, give or take five minutes. Nothing was written.",
  ),
  invalidUtf8: problem(
    'invalid-utf8',
    400,
    'Body not UTF-8',
    'The body (once decompressed) is not valid UTF-8. It is refused rather than read with U+FFFD in place of the bytes it could not decode, which would store another text than the one sent.',
  ),
  invalidCompression: problem(
    'invalid-compression',
    400,
    'Body does not decompress',
    'The body is not valid in the `Content-Encoding` it names (gzip, deflate or br): it is corrupt or cut short. Send it again, compressed whole, or uncompressed.',
  ),
  positionBeyondHead: problem(
    'position-beyond-head',
    400,
    'Position beyond the log',
    '`consistentWith` names a position beyond the head of the log: no write has answered it, so waiting would not help. Send the `position` (or `X-Position`) a write answered.',
  ),
  requestAborted: problem(
    'request-aborted',
    400,
    'Request aborted',
    'The client stopped sending the body before it was complete.',
  ),
  requestSizeInvalid: problem(
    'request-size-invalid',
    400,
    'Request size did not match Content-Length',
    'The body is shorter or longer than its `Content-Length` header says.',
  ),
  tooManyParameters: problem(
    'too-many-parameters',
    400,
    'Too many parameters',
    'The body or query has more parameters than the parser accepts.',
  ),
  badRequest: problem(
    'bad-request',
    400,
    'Bad request',
    'The request could not be read at all: a path that is not valid percent-encoding, or a request that Node.js cannot parse (a control character in a header, a malformed request line, a `Content-Length` that is not a number or is given twice with different values, both `Content-Length` and `Transfer-Encoding`). For the last, the connection is closed after the answer.',
  ),
  unauthorized: problem(
    'unauthorized',
    401,
    'Unauthorized',
    'No API key was sent, or it is not valid. Send `Authorization: Bearer <key>`.',
  ),
  forbidden: problem(
    'forbidden',
    403,
    'Forbidden',
    'The API key is valid but lacks every scope the operation accepts; `detail` names them.',
  ),
  notFound: problem(
    'not-found',
    404,
    'Not found',
    'No record with that id, or no route for that path.',
  ),
  methodNotAllowed: problem(
    'method-not-allowed',
    405,
    'Method not allowed',
    'The path exists, but not with this method; `Allow` lists the methods it has. `OPTIONS` on any path answers 204 with `Allow`, without a key.',
  ),
  requestTimeout: problem(
    'request-timeout',
    408,
    'Request timeout',
    'The request headers did not arrive within 60 s, or the whole request within 5 minutes (answered by Node.js, and the connection closed).',
  ),
  idempotencyInProgress: problem(
    'idempotency-in-progress',
    409,
    'Request in progress',
    'A first request with the same `Idempotency-Key` is still running. Retry after `Retry-After` seconds to get its answer.',
  ),
  preconditionFailed: problem(
    'precondition-failed',
    412,
    'Precondition failed',
    'The record is no longer at the revision `If-Match` names: someone changed it since you read it. The `ETag` header says where it is now; read it again and decide.',
  ),
  bodyTooLarge: problem(
    'body-too-large',
    413,
    'Request body too large',
    'The body is larger than BODY_LIMIT_BYTES; or its chunk extensions exceed 16 KB (answered by Node.js, and the connection closed).',
  ),
  unsupportedMediaType: problem(
    'unsupported-media-type',
    415,
    'Unsupported media type',
    'A body was sent that is not `application/json`.',
  ),
  unsupportedEncoding: problem(
    'unsupported-encoding',
    415,
    'Unsupported content encoding',
    'The body is compressed with an encoding the service does not read (it reads gzip, deflate and br).',
  ),
  unsupportedCharset: problem(
    'unsupported-charset',
    415,
    'Unsupported charset',
    'The body declares a charset other than UTF-8.',
  ),
  headersTooLarge: problem(
    'headers-too-large',
    431,
    'Request header fields too large',
    'The request line and headers together exceed 16 KB (a URL that long gets this, not 414). Answered by Node.js before the service reads the request, and the connection closed.',
  ),
  idempotencyKeyReused: problem(
    'idempotency-key-reused',
    422,
    'Idempotency-Key reused',
    'This `Idempotency-Key` was first used for a different request (another method, path, body, `If-Match` or `X-On-Behalf-Of`). Use a new key for a new request.',
  ),
  internal: problem(
    'internal',
    500,
    'Internal server error',
    'An unexpected error; it has been logged with the request id. Retrying with the same `Idempotency-Key` is safe.',
  ),
  unavailable: problem(
    'unavailable',
    503,
    'Service unavailable',
    'A store is unreachable, or a write lost a race to other writers too many times. Retry after `Retry-After` seconds; a retry with the same `Idempotency-Key` is applied at most once.',
  ),
  notYetConsistent: problem(
    'not-yet-consistent',
    503,
    'Not yet consistent',
    'The read models have not reached the `consistentWith` position within CONSISTENCY_WAIT_MS. Retry after `Retry-After` seconds.',
  ),
  readModelUnavailable: problem(
    'read-model-unavailable',
    503,
    'Read model not ready',
    'The read model the query needs is being built for the first time. Retry after `Retry-After` seconds; `GET /v1/admin/projections` shows the progress.',
  ),
} as const;

export type PlatformProblem = keyof typeof platformProblems;

/** Every problem type of the platform and the given modules; a slug declared twice is an error. */
export function problemRegistry(
  modules: readonly { readonly name: string; readonly problems: readonly ProblemType[] }[],
): Map<string, ProblemType & { readonly module: string | null }> {
  const registry = new Map<string, ProblemType & { readonly module: string | null }>();
  const add = (type: ProblemType, module: string | null) => {
    const existing = registry.get(type.slug);
    if (existing && (existing.status !== type.status || existing.title !== type.title)) {
      throw new Error(`Problem type ${type.slug} is declared twice with different meanings`);
    }
    if (!existing) registry.set(type.slug, { ...type, module });
  };
  for (const type of Object.values(platformProblems)) add(type, null);
  for (const module of modules) for (const type of module.problems) add(type, module.name);
  return registry;
}
