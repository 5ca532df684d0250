/**
 * The course's error family. Every error the library throws is a {@link WorkbookError} with a
 * stable string `code`; callers (and the errors table in each session README) match on the code,
 * never on the message or the class, because classes do not survive threads, processes or Redis.
 */

/** Codes added by session 01. Later sessions add their own codes to the family. */
export const ImageErrorCodes = {
  /** An option or filter parameter is missing, of the wrong type, or out of range. */
  INVALID_OPTION: 'ERR_INVALID_OPTION',
  /** The input path does not exist. */
  FILE_NOT_FOUND: 'ERR_FILE_NOT_FOUND',
  /** The input is empty (zero bytes). */
  EMPTY_INPUT: 'ERR_EMPTY_INPUT',
  /** The input is larger than the byte limit. */
  INPUT_TOO_LARGE: 'ERR_INPUT_TOO_LARGE',
  /** The input is not an image format sharp can read (e.g. text renamed to .jpg). */
  NOT_AN_IMAGE: 'ERR_NOT_AN_IMAGE',
  /** The image header is valid but the data is truncated or corrupt. */
  IMAGE_CORRUPT: 'ERR_IMAGE_CORRUPT',
  /** width x height exceeds the pixel limit (decompression bomb guard). */
  IMAGE_TOO_LARGE: 'ERR_IMAGE_TOO_LARGE',
  /** SVG input was given without `allowSvg: true`. */
  SVG_NOT_ALLOWED: 'ERR_SVG_NOT_ALLOWED',
  /** The requested output format is not supported. */
  UNSUPPORTED_FORMAT: 'ERR_UNSUPPORTED_FORMAT',
  /** sharp failed while processing for a reason none of the other codes covers (see `cause`). */
  PROCESSING_FAILED: 'ERR_PROCESSING_FAILED',
  /**
   * A thrown value without a code of its own (a bug, or a library error nobody classified):
   * what {@link serializeError} gives it so that every failure can still be matched by code.
   */
  UNEXPECTED: 'ERR_UNEXPECTED',
} as const;

/** The codes of session 01. Each later session's `errors.ts` adds its own union to this one. */
export type ImageErrorCode = (typeof ImageErrorCodes)[keyof typeof ImageErrorCodes];

/**
 * Every code the library of session 01 can throw. Later sessions widen it:
 * `Session02ErrorCode = Session01ErrorCode | PipelineErrorCode`, and so on up the sessions.
 */
export type Session01ErrorCode = ImageErrorCode;

/**
 * Base class of every error the course's library throws. `C` is the union of codes the error
 * can carry: a subclass fixes it (`InvalidOptionError` is a `WorkbookError<'ERR_INVALID_OPTION'>`),
 * and {@link isWorkbookError} narrows a caught value to the codes a caller handles.
 *
 * @example
 * throw new WorkbookError(ImageErrorCodes.FILE_NOT_FOUND, 'Input file `cat.png` does not exist');
 */
export class WorkbookError<C extends string = string> extends Error {
  override name = 'WorkbookError';
  /** Stable machine-readable code, e.g. `ERR_IMAGE_CORRUPT`. */
  readonly code: C;

  constructor(code: C, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/**
 * Whether `error` is a {@link WorkbookError}, optionally with one of `codes`; narrows its `code`.
 * @example
 * if (isWorkbookError(error, ['ERR_FILE_NOT_FOUND', 'ERR_NOT_AN_IMAGE'])) skip(error.code);
 */
export function isWorkbookError<C extends string = string>(
  error: unknown,
  codes?: readonly C[],
): error is WorkbookError<C> {
  if (!(error instanceof WorkbookError)) return false;
  return codes === undefined || (codes as readonly string[]).includes(error.code);
}

/** A bad option or parameter: thrown at construction time, before any work is done. */
export class InvalidOptionError extends WorkbookError<typeof ImageErrorCodes.INVALID_OPTION> {
  override name = 'InvalidOptionError';
  constructor(message: string, options?: ErrorOptions) {
    super(ImageErrorCodes.INVALID_OPTION, message, options);
  }
}

/** The input could not be read as a safe, complete image. */
export class ImageInputError extends WorkbookError<ImageErrorCode> {
  override name = 'ImageInputError';
}

/** An error flattened to plain data so it survives structured clone, JSON and Redis. */
export interface SerializedError {
  name: string;
  code: string;
  message: string;
  stack?: string;
}

/**
 * Flattens any thrown value to a {@link SerializedError}. Errors without a code get
 * `ERR_UNEXPECTED` so that every failure can be matched by code.
 */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      code: typeof code === 'string' ? code : ImageErrorCodes.UNEXPECTED,
      message: error.message,
      ...(error.stack ? { stack: error.stack } : {}),
    };
  }
  return { name: 'Error', code: ImageErrorCodes.UNEXPECTED, message: String(error) };
}

/** Rebuilds a {@link WorkbookError} from its serialised form (the class is not restored). */
export function deserializeError(data: SerializedError): WorkbookError {
  const error = new WorkbookError(data.code, data.message);
  error.name = data.name;
  if (data.stack) error.stack = data.stack;
  return error;
}

/**
 * Describes a received value for error messages: ``` `0` (number)```.
 * One helper so every invalid-argument message has the same shape.
 */
export function describeValue(value: unknown): string {
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  let shown: string;
  try {
    // Numbers as JavaScript prints them: JSON would show NaN and Infinity as `null`.
    shown =
      typeof value === 'string' || typeof value === 'number'
        ? String(value)
        : (JSON.stringify(value) ?? String(value));
  } catch {
    shown = String(value);
  }
  if (shown.length > 60) shown = `${shown.slice(0, 57)}...`;
  return `\`${shown}\` (${type})`;
}
