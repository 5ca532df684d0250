import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Sharp } from 'sharp';
import {
  checkBoolean,
  checkChoice,
  checkInteger,
  checkNumber,
  describeChoices,
} from './check-option.ts';
import { diagnoseImageError } from './decode-check.ts';
import { describeValue, ImageErrorCodes, InvalidOptionError, WorkbookError } from './errors.ts';
import { imageSize } from './safe-input.ts';

/** How `resizeImage` fits the picture into the target box (sharp's, and CSS `object-fit`'s, modes). */
export type FitMode = 'cover' | 'contain' | 'fill' | 'inside' | 'outside';

/** Every {@link FitMode}, for validation and menus. */
export const FIT_MODES: readonly FitMode[] = Object.freeze([
  'cover',
  'contain',
  'fill',
  'inside',
  'outside',
]);

/** Where `cover` keeps the picture when it crops; `attention`/`entropy` find the interesting part. */
export type CropPosition = 'centre' | 'north' | 'east' | 'south' | 'west' | 'attention' | 'entropy';

/** Every {@link CropPosition}. */
export const CROP_POSITIONS: readonly CropPosition[] = Object.freeze([
  'centre',
  'north',
  'east',
  'south',
  'west',
  'attention',
  'entropy',
]);

/** Named background colours for padding (`contain`) and rotation corners. */
export type BackgroundColour = 'black' | 'white' | 'transparent';

/** Every {@link BackgroundColour}. */
export const BACKGROUND_COLOURS: readonly BackgroundColour[] = Object.freeze([
  'black',
  'white',
  'transparent',
]);

const BACKGROUNDS = {
  black: { r: 0, g: 0, b: 0, alpha: 1 },
  white: { r: 255, g: 255, b: 255, alpha: 1 },
  transparent: { r: 0, g: 0, b: 0, alpha: 0 },
} as const;

/** Options of {@link resizeImage}. At least one of `width` and `height` is required. */
export interface ResizeOptions {
  /** Target width in pixels; omit it to follow the aspect ratio. */
  width?: number;
  /** Target height in pixels; omit it to follow the aspect ratio. */
  height?: number;
  /**
   * `cover` fills the box and crops the overflow, `contain` fits inside and pads, `fill`
   * stretches, `inside` fits inside without padding, `outside` covers without cropping.
   * @default 'cover'
   */
  fit?: FitMode;
  /** Where `cover` keeps the picture when it has to crop. @default 'centre' */
  position?: CropPosition;
  /**
   * Allow making the image larger than it is. Off by default: enlarging invents no detail, it
   * only costs bytes and looks blurry (sharp's `withoutEnlargement`).
   * @default false
   */
  allowUpscale?: boolean;
  /** Padding colour for `contain`. @default 'black' */
  background?: BackgroundColour;
}

/** The largest width or height the operations accept (sharp's own ceiling for most formats). */
export const MAX_DIMENSION = 16_384;

/**
 * Queues a resize on `image` (lazy: nothing happens until the image is encoded).
 *
 * @example
 * const thumb = resizeImage(await openImage('cat.jpg'), { width: 200, height: 200, fit: 'inside' });
 * @throws {InvalidOptionError} for a missing size, a bad size, fit, position or background.
 */
export function resizeImage(image: Sharp, options: ResizeOptions): Sharp {
  const { width, height, fit = 'cover', position = 'centre', allowUpscale = false } = options;
  const background = options.background ?? 'black';
  if (width === undefined && height === undefined) {
    throw new InvalidOptionError(
      'Expected `width` or `height` (or both) for a resize, got neither',
    );
  }
  const size = { min: 1, max: MAX_DIMENSION };
  if (width !== undefined) checkInteger('width', width, size);
  if (height !== undefined) checkInteger('height', height, size);
  checkChoice('fit', fit, FIT_MODES);
  checkChoice('position', position, CROP_POSITIONS);
  checkChoice('background', background, BACKGROUND_COLOURS);
  checkBoolean('allowUpscale', allowUpscale);
  return image.resize({
    ...(width === undefined ? {} : { width }),
    ...(height === undefined ? {} : { height }),
    fit,
    position,
    background: BACKGROUNDS[background],
    withoutEnlargement: !allowUpscale,
  });
}

/** A rectangle of pixels, from the top-left corner of the image. */
export interface CropRegion {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * Queues an extract (crop) of `region`, after checking it against the image's bounds.
 * The bounds are those of the image as opened (after EXIF orientation); a resize queued earlier
 * on the same pipeline is not taken into account.
 *
 * @example
 * const face = await cropImage(await openImage('astronaut.png'), { left: 180, top: 40, width: 140, height: 160 });
 * @throws {InvalidOptionError} when a number is not a whole number >= 0 (size >= 1) or the region
 * does not fit inside the image (the message shows both).
 */
export async function cropImage(image: Sharp, region: CropRegion): Promise<Sharp> {
  if (region === null || typeof region !== 'object') {
    throw new InvalidOptionError(
      `Expected a crop region {left, top, width, height}, got ${describeValue(region)}`,
    );
  }
  checkInteger('left', region.left, { min: 0, max: MAX_CROP_COORDINATE });
  checkInteger('top', region.top, { min: 0, max: MAX_CROP_COORDINATE });
  checkInteger('width', region.width, { min: 1, max: MAX_CROP_COORDINATE });
  checkInteger('height', region.height, { min: 1, max: MAX_CROP_COORDINATE });
  const size = await imageSize(image);
  const right = region.left + region.width;
  const bottom = region.top + region.height;
  if (right > size.width || bottom > size.height) {
    throw new InvalidOptionError(
      `Expected the crop region to fit inside the ${size.width}x${size.height} image, got ` +
        `left=${region.left} top=${region.top} width=${region.width} height=${region.height} ` +
        `(reaches x=${right}, y=${bottom}). Make it smaller or move it up/left.`,
    );
  }
  return image.extract({
    left: region.left,
    top: region.top,
    width: region.width,
    height: region.height,
  });
}

/**
 * Queues a rotation by any angle in degrees (clockwise). Multiples of 90 are exact; other angles
 * enlarge the canvas and fill the corners with `background`.
 *
 * @example
 * rotateImage(image, 15, { background: 'white' });
 * @throws {InvalidOptionError} for an angle that is not a finite number or a bad background.
 */
export function rotateImage(
  image: Sharp,
  angle: number,
  options: { background?: BackgroundColour } = {},
): Sharp {
  checkNumber('angle', angle, { unit: 'degrees' });
  const background = options.background ?? 'black';
  checkChoice('background', background, BACKGROUND_COLOURS);
  return image.rotate(angle, { background: BACKGROUNDS[background] });
}

/** Queues a vertical mirror (top becomes bottom). */
export function flipImage(image: Sharp): Sharp {
  return image.flip();
}

/** Queues a horizontal mirror (left becomes right). */
export function flopImage(image: Sharp): Sharp {
  return image.flop();
}

/** Queues a conversion to greyscale (one luminance value per pixel). */
export function grayscaleImage(image: Sharp): Sharp {
  return image.greyscale();
}

/** Output formats the system writes. */
export type OutputFormat = 'jpeg' | 'png' | 'webp' | 'avif';

/** Every {@link OutputFormat}. */
export const OUTPUT_FORMATS: readonly OutputFormat[] = Object.freeze([
  'jpeg',
  'png',
  'webp',
  'avif',
]);

/** Options of {@link encode}. */
export interface EncodeOptions {
  /** The output format. */
  format: OutputFormat;
  /**
   * 1-100. For JPEG, WebP and AVIF the lossy quality; for PNG, giving it turns on palette
   * quantisation (smaller, lossy PNG) — leave it out for lossless PNG.
   * @default 80 for jpeg/webp, 50 for avif (its scale is different), lossless for png
   */
  quality?: number;
}

/** The result of {@link writeImage}. */
export interface WrittenImage {
  path: string;
  format: OutputFormat;
  width: number;
  height: number;
  sizeBytes: number;
}

/**
 * Runs the pipeline and encodes the result. This is where pixels are decoded, so this is where
 * a corrupt image is found: sharp's errors come back as codes (`ERR_IMAGE_CORRUPT`, ...).
 * Metadata (EXIF, including GPS) is not copied to the output.
 *
 * @example
 * const webp = await encode(resizeImage(await openImage('cat.jpg'), { width: 400 }), { format: 'webp', quality: 75 });
 * @throws {WorkbookError} `ERR_UNSUPPORTED_FORMAT` for another format, `ERR_INVALID_OPTION`
 * for a bad quality, `ERR_IMAGE_CORRUPT` (and the other input codes) when decoding fails.
 */
export async function encode(image: Sharp, options: EncodeOptions): Promise<Buffer> {
  const { data } = await encodeWithInfo(image, options);
  return data;
}

/**
 * Encodes to a file whose extension picks the format (`.jpg`/`.jpeg`, `.png`, `.webp`, `.avif`).
 *
 * @example
 * const written = await writeImage(image, 'out/cat.webp', { quality: 70 });
 * @throws {WorkbookError} `ERR_UNSUPPORTED_FORMAT` for another extension; as {@link encode}.
 */
export async function writeImage(
  image: Sharp,
  filePath: string,
  options: { quality?: number } = {},
): Promise<WrittenImage> {
  const format = formatFromExtension(filePath);
  const { data, width, height } = await encodeWithInfo(image, { ...options, format });
  await writeFile(filePath, data);
  return { path: filePath, format, width, height, sizeBytes: data.length };
}

/** The output format a file name asks for. @throws {WorkbookError} `ERR_UNSUPPORTED_FORMAT`. */
export function formatFromExtension(filePath: string): OutputFormat {
  const extension = path.extname(filePath).slice(1).toLowerCase();
  const format = extension === 'jpg' ? 'jpeg' : extension;
  return checkOutputFormat(format, `the extension of \`${path.basename(filePath)}\``);
}

/**
 * {@link encode} that also reports the size of the encoded image (from the encoder itself, so
 * nobody has to parse the output again).
 *
 * @example
 * const { data, width, height, channels } = await encodeWithInfo(image, { format: 'webp' });
 * @throws as {@link encode}.
 */
export async function encodeWithInfo(
  image: Sharp,
  options: EncodeOptions,
): Promise<{ data: Buffer; width: number; height: number; channels: number }> {
  if (options === null || typeof options !== 'object') {
    throw new InvalidOptionError(
      `Expected encode options {format, quality?}, got ${describeValue(options)}`,
    );
  }
  checkOutputFormat(options.format);
  const { format, quality } = options;
  if (quality !== undefined) checkInteger('quality', quality, { min: 1, max: 100 });
  const pipeline =
    format === 'png'
      ? image.png(quality === undefined ? {} : { palette: true, quality })
      : image.toFormat(format, { quality: quality ?? (format === 'avif' ? 50 : 80) });
  try {
    const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: info.channels };
  } catch (error) {
    throw await diagnoseImageError(error, image, `Encoding the image as ${format}`);
  }
}

/**
 * Checks an output format, in the one message shape of option checks but with its own code:
 * asking for a format the system does not write is `ERR_UNSUPPORTED_FORMAT`.
 *
 * @param what how the message names the value @default '`format`'
 * @throws {WorkbookError} `ERR_UNSUPPORTED_FORMAT`, listing {@link OUTPUT_FORMATS}.
 * @example checkOutputFormat('gif') // Expected `format` to be one of `jpeg`, `png`, `webp`, `avif`, got `gif` (string)
 */
export function checkOutputFormat(format: unknown, what = '`format`'): OutputFormat {
  if (!OUTPUT_FORMATS.includes(format as OutputFormat)) {
    throw new WorkbookError(
      ImageErrorCodes.UNSUPPORTED_FORMAT,
      `Expected ${what} to be ${describeChoices(OUTPUT_FORMATS)}, got ${describeValue(format)}`,
    );
  }
  return format as OutputFormat;
}

/** Crop coordinates are checked against the image itself; this only stops absurd numbers early. */
const MAX_CROP_COORDINATE = 1_000_000;
