import {
  type ImageErrorCode,
  ImageErrorCodes,
  ImageInputError,
  InvalidOptionError,
  WorkbookError,
} from './errors.ts';

/**
 * sharp (and libvips under it) reports failures as plain `Error`s whose only clue is the
 * message. These patterns turn the messages we know into the course's stable codes.
 * Order matters: the first match wins.
 */
const SHARP_MESSAGE_CODES: ReadonlyArray<readonly [RegExp, ImageErrorCode]> = [
  [/unsupported image format/i, ImageErrorCodes.NOT_AN_IMAGE],
  [/exceeds pixel limit/i, ImageErrorCodes.IMAGE_TOO_LARGE],
  [/bad extract area/i, ImageErrorCodes.INVALID_OPTION],
  // `failOn: 'warning'` (how openImage reads untrusted input) turns the decoder's warnings into
  // this error; sharp documents failOn as its sensitivity to invalid pixel data of the input.
  // The warnings themselves follow on the next lines (e.g. `IHDR: CRC error`).
  [/^Warning treated as error due to failOn setting/, ImageErrorCodes.IMAGE_CORRUPT],
  // libjpeg on damaged tables (the header before them is fine, so openImage let it through).
  [/(huffman|quantization) table 0x[0-9a-f]+ was not defined/i, ImageErrorCodes.IMAGE_CORRUPT],
  [
    /premature end|truncated|corrupt|read error|bogus|invalid|not a (jpeg|png)|unexpected end|incomplete|decode/i,
    ImageErrorCodes.IMAGE_CORRUPT,
  ],
];

/**
 * Turns anything sharp throws into a {@link WorkbookError} with a stable code; the original
 * error is kept as `cause`. WorkbookErrors pass through unchanged.
 *
 * Use it around any `toBuffer()` / `toFile()` you call yourself on an image from `openImage`:
 * a corrupt image is only detected when its pixels are decoded, and that happens at output time.
 *
 * @param context what was being done, for the message (e.g. `encoding photo.jpg as webp`).
 * @example
 * try { await image.toFile('out.png'); } catch (error) { throw toImageError(error, 'saving out.png'); }
 */
export function toImageError(error: unknown, context = 'processing the image'): WorkbookError {
  if (error instanceof WorkbookError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = sharpReason(message);
  const code =
    SHARP_MESSAGE_CODES.find(([pattern]) => pattern.test(message))?.[1] ??
    ImageErrorCodes.PROCESSING_FAILED;
  const options = { cause: error };
  switch (code) {
    case ImageErrorCodes.INVALID_OPTION:
      return new InvalidOptionError(
        `${capitalise(context)} failed: the region to extract lies outside the image (${firstLine}). ` +
          'Check the crop against the size of the image at that step.',
        options,
      );
    case ImageErrorCodes.IMAGE_CORRUPT:
      return corruptImageError(context, error);
    case ImageErrorCodes.NOT_AN_IMAGE:
      return new ImageInputError(
        code,
        `${capitalise(context)} failed: the input is not an image sharp can read (${firstLine}).`,
        options,
      );
    case ImageErrorCodes.IMAGE_TOO_LARGE:
      return new ImageInputError(
        code,
        `${capitalise(context)} failed: the image has more pixels than allowed (${firstLine}).`,
        options,
      );
    default:
      return new WorkbookError(code, `${capitalise(context)} failed: ${firstLine}`, options);
  }
}

/**
 * `ERR_IMAGE_CORRUPT` for an input whose header is readable but whose data is not, with the
 * decoder's reason from sharp's message.
 * @param context what was being done, for the message (e.g. `decoding photo.png`).
 * @param cause what sharp threw (kept as `cause`).
 */
export function corruptImageError(context: string, cause: unknown): ImageInputError {
  const reason = sharpReason(cause instanceof Error ? cause.message : String(cause));
  return new ImageInputError(
    ImageErrorCodes.IMAGE_CORRUPT,
    `${capitalise(context)} failed: the image data is truncated or corrupt (${reason}). ` +
      'Re-export or re-download the file.',
    { cause },
  );
}

/**
 * The informative part of a sharp message: its first line, or, for a decoder warning that
 * `failOn` made fatal, the warnings themselves (without libvips' `error in tile …` noise).
 */
function sharpReason(message: string): string {
  const lines = message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (!/^Warning treated as error due to failOn setting/.test(lines[0] ?? '')) {
    return lines[0] ?? message;
  }
  const warnings = lines.slice(1).filter((line) => !/^error in tile /.test(line));
  return warnings.length > 0 ? `decoder warning: ${warnings.join('; ')}` : 'a decoder warning';
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
