import sharp, { type Sharp } from 'sharp';
import { diagnoseImageError } from './decode-check.ts';

/** Decoded 8-bit pixels, row by row, `channels` values per pixel (sharp's raw layout). */
export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  /** 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA. */
  channels: 1 | 2 | 3 | 4;
}

/**
 * Runs the pipeline and returns its pixels, for filters that compute on pixels themselves
 * (`ops: ['custom']`). sharp errors come back as course codes.
 *
 * @example
 * const { data, width, height } = await toRaw(image.greyscale());
 */
export async function toRaw(image: Sharp): Promise<RawImage> {
  try {
    const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: info.channels };
  } catch (error) {
    throw await diagnoseImageError(error, image, 'decoding the image to pixels');
  }
}

/**
 * A new sharp pipeline over raw pixels: the way back from {@link toRaw}.
 *
 * @example
 * return fromRaw({ data: out, width, height, channels: 1 });
 */
export function fromRaw(image: RawImage): Sharp {
  const { data, width, height, channels } = image;
  return sharp(data, { raw: { width, height, channels } });
}
