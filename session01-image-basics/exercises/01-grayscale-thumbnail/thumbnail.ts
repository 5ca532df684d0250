// The session library (`@workbook/session01`) has what you need: see its src/index.ts.

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
 * @returns the encoded thumbnail.
 * @throws {InvalidOptionError} `ERR_INVALID_OPTION` when `width` or `height` is not a whole
 *   number from 1 to 4096; the message names the option, the value and the range.
 * @throws the library's image codes (`ERR_IMAGE_CORRUPT`, `ERR_NOT_AN_IMAGE`, …) for bad input.
 */
export async function grayscaleThumbnail(
  input: string | Buffer,
  options: ThumbnailOptions,
): Promise<Buffer> {
  // 🐨 Your code here: the README says what the thumbnail must be; `pnpm hint 01.1` helps.
  void input;
  void options;
  throw new Error(
    '🐨 TODO (01.1): make a greyscale thumbnail — see exercises/01-grayscale-thumbnail/README.md',
  );
}
