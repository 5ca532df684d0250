/**
 * Exercise 10.1: check a whole submission before anything is queued, and turn whatever was
 * thrown into one problem document (RFC 9457). The API runs both on every POST /v1/jobs.
 */
import { isWorkbookError, openImage, readImageInfo } from '@workbook/session01';
import { type PipelineSpec, parsePipelineSpec } from '@workbook/session02';
import {
  ApiError,
  ApiErrorCodes,
  type CheckedImage,
  type ProblemDetails,
  STATUS_TITLES,
  type SubmissionInput,
  safeDisplayName,
  type ValidateOptions,
  type ValidSubmission,
} from '@workbook/session10';

/**
 * Checks a whole submission, or throws the first problem as a 422 {@link ApiError}: no files
 * (`ERR_NO_FILES`), no spec (`ERR_INVALID_SUBMISSION`), a bad spec (its session 02 code, the
 * message naming the filter or parameter), then EVERY file through session 01's `openImage`
 * (sniffing, pixel limit, truncation) with the file's code and its display name in `file`.
 * Nothing is stored until all of it holds.
 */
export async function validateSubmission(
  input: SubmissionInput,
  options: ValidateOptions,
): Promise<ValidSubmission> {
  if (input.files.length === 0) {
    throw new ApiError(
      422,
      ApiErrorCodes.NO_FILES,
      'The request has no image: add one or more files in `images` form fields',
    );
  }
  if (input.spec === undefined || input.spec === '') {
    throw new ApiError(
      422,
      ApiErrorCodes.INVALID_SUBMISSION,
      'The request has no pipeline: add a `pipeline` form field with session 02\'s JSON spec, e.g. {"steps":[{"name":"grayscale"}]}',
    );
  }
  let spec: PipelineSpec;
  try {
    spec = parsePipelineSpec(input.spec, options.catalogue);
  } catch (error) {
    throw asInputError(error, {});
  }
  const images: CheckedImage[] = [];
  for (const [index, file] of input.files.entries()) {
    const name = safeDisplayName(file.filename);
    try {
      await openImage(file.data, options.limits);
      const info = await readImageInfo(file.data, options.limits);
      images.push({
        index,
        name,
        format: info.format,
        width: info.displayWidth,
        height: info.displayHeight,
        bytes: file.data.length,
        data: file.data,
      });
    } catch (error) {
      throw asInputError(error, { file: name, index });
    }
  }
  return { spec, images };
}

function asInputError(error: unknown, extras: Record<string, unknown>): unknown {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== 'string') return error;
  const where = typeof extras.file === 'string' ? `File \`${extras.file}\`: ` : '';
  return new ApiError(422, code, `${where}${(error as Error).message}`, { extras, cause: error });
}

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
