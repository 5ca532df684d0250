/**
 * Problem details (RFC 9457): how every refusal leaves the API. One shape for every error, with
 * the project's error code in `code`, so a client matches on the code, never on the text.
 */
import { isWorkbookError } from '@workbook/session01';
import { ApiError } from './errors.ts';

/** An `application/problem+json` document. */
export interface ProblemDetails {
  /** A URI naming the kind of problem: `urn:imgq:problem:<code>`. */
  type: string;
  /** Short, the same for every problem of this kind (the HTTP reason phrase). */
  title: string;
  status: number;
  /** What was wrong with this request and how to fix it. */
  detail: string;
  /** The request path the problem is about. */
  instance: string;
  /** The project's error code, e.g. `ERR_IMAGE_TOO_LARGE`. */
  code: string;
  [extra: string]: unknown;
}

/** The reason phrases of the statuses the API answers with. */
export const STATUS_TITLES: Readonly<Record<number, string>> = Object.freeze({
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
});

/** Codes of earlier sessions that mean "your input is wrong": 422 when they reach the API. */
const INPUT_CODES = new Set([
  'ERR_INVALID_OPTION',
  'ERR_INVALID_SPEC',
  'ERR_UNKNOWN_FILTER',
  'ERR_EMPTY_INPUT',
  'ERR_INPUT_TOO_LARGE',
  'ERR_NOT_AN_IMAGE',
  'ERR_IMAGE_CORRUPT',
  'ERR_IMAGE_TOO_LARGE',
  'ERR_SVG_NOT_ALLOWED',
  'ERR_UNSUPPORTED_FORMAT',
]);

/**
 * The problem document for anything thrown while handling a request: an {@link ApiError} keeps
 * its status, code and extras; a `WorkbookError` about the input becomes 422 with its code;
 * anything else is a 500 that says nothing about the inside (the log has the details).
 */
export function problemFor(error: unknown, instance: string): ProblemDetails {
  if (error instanceof ApiError) {
    return {
      ...error.extras,
      type: `urn:imgq:problem:${error.code}`,
      title: STATUS_TITLES[error.status] ?? 'Error',
      status: error.status,
      detail: error.message,
      instance,
      code: error.code,
    };
  }
  if (isWorkbookError(error) && INPUT_CODES.has(error.code)) {
    return {
      type: `urn:imgq:problem:${error.code}`,
      title: STATUS_TITLES[422]!,
      status: 422,
      detail: error.message,
      instance,
      code: error.code,
    };
  }
  return {
    type: 'urn:imgq:problem:ERR_UNEXPECTED',
    title: STATUS_TITLES[500]!,
    status: 500,
    detail: 'The server failed to handle this request; its log has the details.',
    instance,
    code: 'ERR_UNEXPECTED',
  };
}
