import type { Response } from 'express';
import { isDomainError } from '../domain/shared/errors.js';
import { IdempotencyInProgressError, IdempotencyKeyReusedError } from '../commands/idempotency.js';
import { ConcurrencyExhaustedError, PreconditionFailedError } from '../commands/command-handler.js';
import { ReadModelUnavailableError } from '../projections/projection-manager.js';
import { PositionBeyondHeadError } from '../projections/read-consistency.js';
import { StoreUnavailableError } from '../stores/event-store.js';
import { InvalidQueryError } from '../stores/read-model-store.js';
import {
  platformProblems,
  problemTypeUri,
  slugOfCode,
  statusOfKind,
  titleOfCode,
  type ProblemType,
} from './problem-types.js';

/** An RFC 9457 problem details document. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly errors?: readonly { readonly path: string; readonly message: string }[];
  readonly [extension: string]: unknown;
}

export interface ProblemResponse {
  readonly status: number;
  readonly body: Problem;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Thrown by the HTTP layer for answers it decides itself (auth, validation, not found). */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';

  constructor(readonly response: ProblemResponse) {
    super(response.body.detail);
  }
}

/** What keeps an answer small whatever the request: a caller cannot make it grow with its input. */
export const PROBLEM_BOUNDS = {
  errors: 50,
  /** Code points of `detail`, and of each entry's `path` and `message`. */
  detail: 1000,
  entry: 200,
  /** Bytes of the serialised body. */
  body: 16 * 1024,
} as const;

function cut(value: string, max: number): string {
  const points = Array.from(value);
  return points.length <= max ? value : `${points.slice(0, max - 1).join('')}…`;
}

/**
 * The body as answered: at most `PROBLEM_BOUNDS.errors` entries (`errorsOmitted` counts the
 * rest), each part cut, and under `PROBLEM_BOUNDS.body` bytes in all. Unknown fields are listed
 * by name, so 50 000 of them would otherwise make an answer of megabytes.
 */
export function boundedProblem(body: Problem): Problem {
  const given = body.errors ?? [];
  const errors = given.slice(0, PROBLEM_BOUNDS.errors).map((error) => ({
    path: cut(error.path, PROBLEM_BOUNDS.entry),
    message: cut(error.message, PROBLEM_BOUNDS.entry),
  }));
  const { errors: _errors, errorsOmitted: _omitted, ...rest } = body;
  const bounded = () => ({
    ...rest,
    detail: cut(body.detail, PROBLEM_BOUNDS.detail),
    ...(body.errors ? { errors } : {}),
    ...(given.length > errors.length ? { errorsOmitted: given.length - errors.length } : {}),
  });
  // Escapes and multi-byte characters can make 50 cut entries still too many bytes.
  let answer = bounded();
  while (errors.length > 0 && Buffer.byteLength(JSON.stringify(answer)) > PROBLEM_BOUNDS.body) {
    errors.pop();
    answer = bounded();
  }
  return answer;
}

/** An answer of a registered problem type (`problem-types.ts`), so none goes undocumented. */
export function httpProblem(
  type: ProblemType,
  detail: string,
  extra: { errors?: Problem['errors']; headers?: Record<string, string> } = {},
): HttpProblem {
  return new HttpProblem({
    status: type.status,
    headers: extra.headers,
    body: boundedProblem({
      type: problemTypeUri(type.slug),
      title: type.title,
      status: type.status,
      detail,
      ...(extra.errors ? { errors: extra.errors } : {}),
    }),
  });
}

/** The `type` of the body parser's error for a body that is not UTF-8 (see `app.ts`). */
export const INVALID_UTF8 = 'entity.utf8.invalid';

/** Express's body parser reports its failures with these `type`s. */
const BODY_PARSER_ERRORS: Record<string, ProblemType> = {
  'entity.parse.failed': platformProblems.malformedJson,
  'entity.too.large': platformProblems.bodyTooLarge,
  'encoding.unsupported': platformProblems.unsupportedEncoding,
  'charset.unsupported': platformProblems.unsupportedCharset,
  'request.aborted': platformProblems.requestAborted,
  'request.size.invalid': platformProblems.requestSizeInvalid,
  'parameters.too.many': platformProblems.tooManyParameters,
  [INVALID_UTF8]: platformProblems.invalidUtf8,
};

/**
 * Maps any error to the answer the client gets. Unknown errors are 500 with no detail: their
 * message may carry internals, and the log has them.
 */
export function toProblemResponse(error: unknown): ProblemResponse {
  if (error instanceof HttpProblem) return error.response;
  if (isDomainError(error)) {
    // Each module registers the codes its deciders refuse with (its `problems`).
    const { kind, code, message, issues } = error.refusal;
    const type = { slug: slugOfCode(code), status: statusOfKind(kind), title: titleOfCode(code) };
    return httpProblem({ ...type, description: '' }, message, { errors: issues }).response;
  }
  if (error instanceof PreconditionFailedError) {
    return httpProblem(
      platformProblems.preconditionFailed,
      `If-Match names revision ${error.expected}, but the record is at revision ${error.actual}`,
      { headers: error.actual >= 0n ? { ETag: `"${error.actual}"` } : {} },
    ).response;
  }
  if (error instanceof IdempotencyKeyReusedError) {
    return httpProblem(platformProblems.idempotencyKeyReused, error.message).response;
  }
  if (error instanceof IdempotencyInProgressError) {
    return httpProblem(platformProblems.idempotencyInProgress, error.message, {
      headers: { 'Retry-After': '1' },
    }).response;
  }
  if (error instanceof ConcurrencyExhaustedError) {
    return httpProblem(platformProblems.unavailable, error.message, {
      headers: { 'Retry-After': '1' },
    }).response;
  }
  if (error instanceof StoreUnavailableError) {
    // The cause names internal hosts and ports: it goes to the log, not to the caller. Whether
    // a write that lost its answer was stored is unknown here, hence the advice on retries.
    return httpProblem(
      platformProblems.unavailable,
      'A store this request needs is unreachable. Retry later; a retry with the same Idempotency-Key is applied at most once.',
      { headers: { 'Retry-After': '1' } },
    ).response;
  }
  if (error instanceof ReadModelUnavailableError) {
    return httpProblem(platformProblems.readModelUnavailable, error.message, {
      headers: { 'Retry-After': '2' },
    }).response;
  }
  if (error instanceof PositionBeyondHeadError) {
    const message = `is beyond the head of the log (${error.head}): send a position a write answered`;
    return httpProblem(platformProblems.positionBeyondHead, `query.consistentWith: ${message}`, {
      errors: [{ path: 'query.consistentWith', message }],
    }).response;
  }
  if (error instanceof InvalidQueryError) {
    // Raised for what the caller sent (a cursor that does not decode, or from another list).
    return httpProblem(platformProblems.invalidQuery, error.message, {
      errors: [{ path: 'query.cursor', message: error.message }],
    }).response;
  }
  const bodyError = bodyParserError(error);
  if (bodyError) {
    const type = BODY_PARSER_ERRORS[bodyError.type]!;
    const detail =
      type.status === 413
        ? `The body exceeds the limit of ${bodyError.limit ?? '?'} bytes`
        : bodyError.message;
    return httpProblem(type, detail).response;
  }
  if (isDecompressionError(error)) {
    return httpProblem(
      platformProblems.invalidCompression,
      'The body does not decompress with its Content-Encoding: it is corrupt or incomplete',
    ).response;
  }
  const clientError = clientErrorStatus(error);
  if (clientError) {
    // Express and its parsers mark what the client got wrong with a 4xx status (a path that
    // does not decode, a body that does not decompress); their messages say so plainly.
    return httpProblem(
      { ...platformProblems.badRequest, status: clientError.status },
      clientError.message,
    ).response;
  }
  return httpProblem(platformProblems.internal, 'An unexpected error occurred; it has been logged')
    .response;
}

export function sendProblem(res: Response, problem: ProblemResponse): void {
  res.status(problem.status);
  for (const [name, value] of Object.entries(problem.headers ?? {})) res.setHeader(name, value);
  res.type('application/problem+json').send(JSON.stringify(problem.body));
}

function bodyParserError(
  error: unknown,
): { type: string; message: string; limit?: number } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const type = (error as { type?: unknown }).type;
  if (typeof type !== 'string' || !(type in BODY_PARSER_ERRORS)) return undefined;
  const { message, limit } = error as { message?: unknown; limit?: unknown };
  return {
    type,
    message: typeof message === 'string' ? message : type,
    limit: typeof limit === 'number' ? limit : undefined,
  };
}

/**
 * zlib's errors, which the body parser passes on without a type of its own: they carry zlib's
 * error number and code (`Z_DATA_ERROR`, `Z_BUF_ERROR`, `ERR__ERROR_FORMAT_PADDING_1` for br).
 */
function isDecompressionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { errno, code, type } = error as { errno?: unknown; code?: unknown; type?: unknown };
  return (
    type === undefined &&
    typeof errno === 'number' &&
    typeof code === 'string' &&
    /^(?:Z_|ERR_(?:_ERROR|BROTLI))/.test(code)
  );
}

function clientErrorStatus(error: unknown): { status: number; message: string } | undefined {
  if (!(error instanceof Error)) return undefined;
  const status =
    (error as { status?: unknown; statusCode?: unknown }).status ??
    (error as { statusCode?: unknown }).statusCode;
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  return { status, message: error.message };
}
