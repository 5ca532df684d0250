import sharp, { type Sharp } from 'sharp';
import { ImageErrorCodes, type WorkbookError } from './errors.ts';
import { corruptImageError, toImageError } from './sharp-errors.ts';

/** What `openImage` remembers about each image it returned. */
export interface OpenedInput {
  /** The checked, encoded input. */
  buffer: Buffer;
  /** The pixel limit it was opened with. */
  maxPixels: number;
  /** How messages name it (`` `photo.png` `` or `the input buffer`). */
  label: string;
  /** Its size as it will be decoded (after EXIF orientation, if on). */
  size: { width: number; height: number };
}

/**
 * The inputs of the pipelines `openImage` returned, by pipeline. A sharp operation returns the
 * pipeline it was called on, so the entry follows the image through `resize`, `blur`, ...;
 * `clone()` makes a pipeline that is not in here.
 */
const opened = new WeakMap<Sharp, OpenedInput>();

/** Records what `openImage` checked about `image`. */
export function rememberOpened(image: Sharp, input: OpenedInput): void {
  opened.set(image, input);
}

/** What `openImage` checked about `image`, if it came from there. */
export function openedInput(image: Sharp): OpenedInput | undefined {
  return opened.get(image);
}

/**
 * Decodes an encoded image on its own — no operation, no encoder — and fails on any decoder
 * warning, the way `openImage` reads untrusted input.
 * @returns `undefined` when every pixel decodes; otherwise the failure as a course error. Since
 * only the decoder ran, a failure sharp gives no better code for is `ERR_IMAGE_CORRUPT`.
 */
export async function decodeFailure(
  buffer: Buffer,
  maxPixels: number,
  label: string,
): Promise<WorkbookError | undefined> {
  try {
    await sharp(buffer, { failOn: 'warning', limitInputPixels: maxPixels }).raw().toBuffer();
    return undefined;
  } catch (error) {
    const classified = toImageError(error, `Decoding ${label}`);
    return classified.code === ImageErrorCodes.PROCESSING_FAILED
      ? corruptImageError(`Decoding ${label}`, error)
      : classified;
  }
}

/**
 * {@link toImageError} for a failure of a pipeline that started at `openImage`, telling a
 * corrupt input from a failed operation: when sharp's message does not say which it was (an
 * encoder that reports only `unable to write to target`, an undefined Huffman table, ...), the
 * input is decoded once more on its own. If that fails too, the input is corrupt
 * (`ERR_IMAGE_CORRUPT`, not retryable); if it decodes, the processing failed
 * (`ERR_PROCESSING_FAILED`). The extra decode happens only on this failure path.
 *
 * @param image the pipeline whose output step failed (as returned by `openImage`, after any
 *   operations); for other pipelines this is just `toImageError`.
 * @param context what was being done, for the message (e.g. `encoding the image as webp`).
 * @example
 * try { await image.toBuffer(); } catch (error) { throw await diagnoseImageError(error, image, 'encoding'); }
 */
export async function diagnoseImageError(
  error: unknown,
  image: Sharp,
  context: string,
): Promise<WorkbookError> {
  const classified = toImageError(error, context);
  const input = opened.get(image);
  if (classified.code !== ImageErrorCodes.PROCESSING_FAILED || !input) return classified;
  return (await decodeFailure(input.buffer, input.maxPixels, input.label)) ?? classified;
}
