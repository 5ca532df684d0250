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
 * Checks a whole submission, or throws the first problem as a 422 {@link ApiError}.
 */
export async function validateSubmission(
  input: SubmissionInput,
  options: ValidateOptions,
): Promise<ValidSubmission> {
  // 🐨 1. No files → throw new ApiError(422, ApiErrorCodes.NO_FILES, '<what to add>').
  // 🐨 2. No spec (undefined or '') → ApiError(422, ApiErrorCodes.INVALID_SUBMISSION, ...).
  // 🐨 3. parsePipelineSpec(input.spec, options.catalogue); a thrown WorkbookError becomes an
  //       ApiError(422, <its code>, <its message>) so the message naming the filter survives.
  // 🐨 4. EVERY file: name = safeDisplayName(file.filename); await openImage(file.data,
  //       options.limits) then readImageInfo(...) for format and displayWidth/displayHeight.
  //       A refusal becomes ApiError(422, <its code>, `File \`${name}\`: ...`, { extras: { file: name, index } }).
  // 🐨 5. Return { spec, images } only once every file passed (nothing is stored before).
  void [
    isWorkbookError,
    openImage,
    readImageInfo,
    parsePipelineSpec,
    ApiError,
    ApiErrorCodes,
    safeDisplayName,
  ];
  void (null as unknown as PipelineSpec | CheckedImage);
  throw new Error('🐨 TODO (10.1): validate the submission (see the README)');
}

/**
 * The problem document for anything thrown while handling a request.
 */
export function problemFor(error: unknown, instance: string): ProblemDetails {
  // 🐨 An ApiError: { ...extras, type: `urn:imgq:problem:${code}`, title: STATUS_TITLES[status],
  //    status, detail: message, instance, code }.
  // 🐨 A WorkbookError about the input (ERR_INVALID_SPEC, ERR_UNKNOWN_FILTER, ERR_INVALID_OPTION,
  //    the image codes of session 01): the same with status 422.
  // 🐨 Anything else: 500, code ERR_UNEXPECTED, and a detail that reveals nothing of the inside.
  void [STATUS_TITLES, error, instance];
  throw new Error('🐨 TODO (10.1): build the problem document (see the README)');
}
