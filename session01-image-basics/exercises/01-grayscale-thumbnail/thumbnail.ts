// 💰 Everything you need is exported by the session library:
// import { describeValue, encode, grayscaleImage, InvalidOptionError, openImage, resizeImage } from '@workbook/session01';

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
 */
export async function grayscaleThumbnail(
  input: string | Buffer,
  options: ThumbnailOptions,
): Promise<Buffer> {
  // 🐨 1. Check `options.width` and `options.height`: whole numbers from 1 to 4096, else throw
  //       an InvalidOptionError whose message names the option, the value and the range.
  // 🐨 2. Open the input with openImage (safe limits + EXIF orientation come with it).
  // 🐨 3. Queue a resize to the box with the fit mode (default 'inside'), then grayscale.
  // 🐨 4. Encode in `options.format` (default 'jpeg') and return the bytes.
  void input;
  void options;
  throw new Error(
    '🐨 TODO (01.1): make a greyscale thumbnail — see exercises/01-grayscale-thumbnail/README.md',
  );
}
