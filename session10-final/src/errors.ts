/**
 * Session 10's error codes: what the HTTP API can refuse a request with. Every refusal is an
 * {@link ApiError} (a session 01 `WorkbookError`) that carries its HTTP status, and leaves the
 * API as `application/problem+json` (RFC 9457) with the code in the `code` member.
 */
import { WorkbookError } from '@workbook/session01';

/** Codes added by session 10 (the README's errors table lists each with its fix). */
export const ApiErrorCodes = {
  /** No API key, or one the server does not know (401, with `WWW-Authenticate`). */
  UNAUTHORIZED: 'ERR_UNAUTHORIZED',
  /** The key is known but its roles do not allow this endpoint (403). */
  FORBIDDEN: 'ERR_FORBIDDEN',
  /** The request body is not `multipart/form-data` where it must be (415). */
  UNSUPPORTED_MEDIA_TYPE: 'ERR_UNSUPPORTED_MEDIA_TYPE',
  /** One file, or the whole request, is over its byte limit (413). */
  PAYLOAD_TOO_LARGE: 'ERR_PAYLOAD_TOO_LARGE',
  /** More files in one request than allowed (413). */
  TOO_MANY_FILES: 'ERR_TOO_MANY_FILES',
  /** A submission without any image file (422). */
  NO_FILES: 'ERR_NO_FILES',
  /** A submission without a pipeline spec, or a form field the API does not know (422). */
  INVALID_SUBMISSION: 'ERR_INVALID_SUBMISSION',
  /** A job, batch or dead letter that does not exist (or expired) (404). */
  NOT_FOUND: 'ERR_NOT_FOUND',
  /** The job has no result image (yet, or it failed) (409). */
  RESULT_NOT_READY: 'ERR_RESULT_NOT_READY',
  /** Too many requests for this key in the window (429, with `Retry-After`). */
  RATE_LIMITED: 'ERR_RATE_LIMITED',
  /** An `Idempotency-Key` that is malformed (400). */
  INVALID_IDEMPOTENCY_KEY: 'ERR_INVALID_IDEMPOTENCY_KEY',
  /** An `Idempotency-Key` reused with a different request (422). */
  IDEMPOTENCY_KEY_REUSED: 'ERR_IDEMPOTENCY_KEY_REUSED',
  /** The first request with this `Idempotency-Key` is still running (409). */
  IDEMPOTENCY_IN_PROGRESS: 'ERR_IDEMPOTENCY_IN_PROGRESS',
  /** A query parameter or JSON body that does not match the endpoint's schema (400). */
  BAD_REQUEST: 'ERR_BAD_REQUEST',
  /** Redis does not answer (503, from `/readyz` and the endpoints that need it). */
  UNAVAILABLE: 'ERR_UNAVAILABLE',
  /** A bad setting of the API process (API_KEYS, limits, ...): it refuses to start. */
  INVALID_CONFIG: 'ERR_INVALID_CONFIG',
} as const;

export type ApiErrorCode = (typeof ApiErrorCodes)[keyof typeof ApiErrorCodes];

/** Extra members of a problem document (e.g. `file`, `errors`, `retryAfter`). */
export type ProblemExtras = Record<string, unknown>;

/**
 * A request the API refuses: the HTTP status, the project's error code and a message that says
 * what was wrong and how to fix it. `headers` go on the response (`Retry-After`,
 * `WWW-Authenticate`); `extras` become members of the problem document.
 */
export class ApiError extends WorkbookError<string> {
  override name = 'ApiError';
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly extras: ProblemExtras;

  constructor(
    status: number,
    code: string,
    message: string,
    more: { headers?: Record<string, string>; extras?: ProblemExtras; cause?: unknown } = {},
  ) {
    super(code, message, more.cause === undefined ? undefined : { cause: more.cause });
    this.status = status;
    this.headers = more.headers ?? {};
    this.extras = more.extras ?? {};
  }
}
