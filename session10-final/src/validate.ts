/**
 * The reference of exercise 10.1's first half: a submission (files + pipeline spec) checked in
 * full before anything is stored or queued.
 */
import { openImage, readImageInfo, type SafeInputOptions } from '@workbook/session01';
import { type FilterCatalogue, type PipelineSpec, parsePipelineSpec } from '@workbook/session02';
import { ApiError, ApiErrorCodes } from './errors.ts';
import { safeDisplayName } from './names.ts';

/** One file of a multipart request, read into memory (the API's byte limits keep it small). */
export interface UploadedFile {
  /** The form field it came in. */
  field: string;
  /** The name the client gave: data only, it never reaches a path. */
  filename: string;
  mimetype: string;
  data: Buffer;
}

/** What a client submitted. */
export interface SubmissionInput {
  files: UploadedFile[];
  /** The `pipeline` form field: session 02's spec as JSON text (or an object). */
  spec: unknown;
}

/** A file that passed session 01's safe input. */
export interface CheckedImage {
  /** Its position in the request (0-based). */
  index: number;
  /** The display name ({@link safeDisplayName} of the client's name). */
  name: string;
  format: string;
  width: number;
  height: number;
  bytes: number;
  data: Buffer;
}

/** Options of {@link validateSubmission}. */
export interface ValidateOptions {
  /** Knows the filters and their parameters (session 02's `FilterFactory`). */
  catalogue: FilterCatalogue;
  /** Session 01's limits (`maxPixels`, ...). @default session 01's defaults */
  limits?: SafeInputOptions;
}

/** A checked submission: the spec with defaults filled in, and every image. */
export interface ValidSubmission {
  spec: PipelineSpec;
  images: CheckedImage[];
}

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
