import { describeValue, ImageErrorCodes, InvalidOptionError } from '@workbook/session01';
import { PipelineErrorCodes } from '@workbook/session02';
import { ReliabilityErrorCodes } from './errors.ts';

/**
 * Error codes that retrying cannot fix: the input or the request is wrong, not the moment.
 * A task failing with one of them goes straight to the dead letter queue, on its first attempt.
 *
 * | code | why a retry would fail the same way |
 * |---|---|
 * | `ERR_IMAGE_CORRUPT` | the bytes are truncated or damaged |
 * | `ERR_NOT_AN_IMAGE` | the file is not an image (text renamed to .jpg, ...) |
 * | `ERR_EMPTY_INPUT` | the file has zero bytes |
 * | `ERR_IMAGE_TOO_LARGE` / `ERR_INPUT_TOO_LARGE` | the limits will not change |
 * | `ERR_SVG_NOT_ALLOWED` / `ERR_UNSUPPORTED_FORMAT` | the format is refused |
 * | `ERR_INVALID_SPEC` / `ERR_UNKNOWN_FILTER` / `ERR_INVALID_OPTION` | the pipeline is wrong |
 * | `ERR_PATH_OUTSIDE_ROOT` | the path escapes the allowed folder (hostile or a bug) |
 * | `ERR_FILE_NOT_FOUND` | the input does not exist (a producer bug, not a blip) |
 * | `ERR_NON_RETRYABLE` | the processor said so (`UnrecoverableTaskError`) |
 *
 * Everything else — including errors without a code (`ERR_UNEXPECTED`) — is retried with
 * backoff up to `maxAttempts`: a timeout, a full disk, a dropped connection may pass.
 */
export const NON_RETRYABLE_CODES: ReadonlySet<string> = new Set([
  ImageErrorCodes.IMAGE_CORRUPT,
  ImageErrorCodes.NOT_AN_IMAGE,
  ImageErrorCodes.EMPTY_INPUT,
  ImageErrorCodes.IMAGE_TOO_LARGE,
  ImageErrorCodes.INPUT_TOO_LARGE,
  ImageErrorCodes.SVG_NOT_ALLOWED,
  ImageErrorCodes.UNSUPPORTED_FORMAT,
  ImageErrorCodes.INVALID_OPTION,
  ImageErrorCodes.FILE_NOT_FOUND,
  PipelineErrorCodes.INVALID_SPEC,
  PipelineErrorCodes.UNKNOWN_FILTER,
  PipelineErrorCodes.PATH_OUTSIDE_ROOT,
  ReliabilityErrorCodes.NON_RETRYABLE,
]);

/**
 * Whether a failure with `code` may be retried, given the non-retryable set in use.
 * @example isRetryable('ERR_IMAGE_CORRUPT') // false
 * @example isRetryable('ERR_UNEXPECTED')    // true
 */
export function isRetryable(code: string, nonRetryable: ReadonlySet<string> = NON_RETRYABLE_CODES) {
  return !nonRetryable.has(code);
}

/**
 * Checks a user-supplied list of non-retryable codes (e.g. the defaults plus your own).
 * @throws {InvalidOptionError} `ERR_INVALID_OPTION` unless every entry looks like `ERR_SOMETHING`.
 */
export function checkCodes(codes: Iterable<string>): ReadonlySet<string> {
  const set = new Set<string>();
  for (const code of codes) {
    if (typeof code !== 'string' || !/^ERR_[A-Z0-9_]+$/.test(code)) {
      throw new InvalidOptionError(
        `Expected every non-retryable code to look like \`ERR_SOMETHING\`, got ${describeValue(code)}`,
      );
    }
    set.add(code);
  }
  return set;
}
