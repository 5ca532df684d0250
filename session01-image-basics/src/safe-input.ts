import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import sharp, { type Metadata, type Sharp } from 'sharp';
import { checkBoolean, checkChoice, checkInteger } from './check-option.ts';
import { decodeFailure, openedInput, rememberOpened } from './decode-check.ts';
import { describeValue, ImageErrorCodes, ImageInputError, InvalidOptionError } from './errors.ts';
import { toImageError } from './sharp-errors.ts';

/**
 * How `openImage` / `readImageInfo` treat untrusted input. Every field is optional; missing
 * fields take their value from {@link DEFAULT_INPUT_LIMITS}.
 */
export interface SafeInputOptions {
  /**
   * Largest `width x height` accepted, decided from the header before any pixel is decoded.
   *
   * Why 40 million: it admits every common camera and phone photo (12-24 MP typically, 40 MP
   * high-end), while one decoded RGBA image of that size is already 160 MB of memory. A worker
   * that runs a few images at once in a container with a 512 MB-1 GB limit cannot afford more.
   * sharp's own default (268 million pixels, over 1 GB decoded) protects a desktop, not a pod.
   * @default 40_000_000
   */
  maxPixels?: number;
  /**
   * Largest input in bytes. For a path it is checked with `stat` before the file is read.
   * @default 52_428_800 (50 MiB)
   */
  maxBytes?: number;
  /**
   * Accept SVG input. Off by default: SVG is a document, not a picture — it can reference
   * other files and URLs, and rendering it runs a whole XML and CSS engine on untrusted text.
   * @default false
   */
  allowSvg?: boolean;
  /**
   * Rotate/flip the image to match its EXIF `Orientation` tag, so that it comes out upright.
   * @default true
   */
  autoOrient?: boolean;
  /**
   * When `openImage` decodes the whole image once up front to prove it is complete:
   * - `auto`: only when the cheap end-of-file check fails (a JPEG without its end marker, a PNG
   *   without `IEND`, ...) or the format has no such marker (TIFF, AVIF). A normal photo is then
   *   decoded only once, by the operations you run; damage in the middle of an otherwise
   *   well-formed file is still refused, at output time (`encode` reports `ERR_IMAGE_CORRUPT`).
   * - `always`: every image is decoded once more in `openImage` (costs a full decode).
   * - `never`: rely on the output-time check only.
   * @default 'auto'
   */
  verify?: 'auto' | 'always' | 'never';
}

/** The defaults of {@link SafeInputOptions}. */
export const DEFAULT_INPUT_LIMITS: Readonly<Required<SafeInputOptions>> = Object.freeze({
  maxPixels: 40_000_000,
  maxBytes: 50 * 1024 * 1024,
  allowSvg: false,
  autoOrient: true,
  verify: 'auto',
});

/** Input formats `openImage` accepts (as named by sharp's `metadata().format`). */
export const ACCEPTED_INPUT_FORMATS: readonly string[] = Object.freeze([
  'jpeg',
  'png',
  'webp',
  'gif',
  'tiff',
  'heif',
  'svg',
]);

/** What `readImageInfo` reports about an image, read from its header only. */
export interface ImageInfo {
  /** Decoder name as sharp reports it: `jpeg`, `png`, `webp`, `gif`, `tiff`, `heif`, `svg`. */
  format: string;
  /** Width as stored in the file (before EXIF orientation). */
  width: number;
  /** Height as stored in the file (before EXIF orientation). */
  height: number;
  /** Width as displayed, after EXIF orientation (differs from `width` for orientations 5-8). */
  displayWidth: number;
  /** Height as displayed, after EXIF orientation. */
  displayHeight: number;
  /** Number of channels: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA or CMYK. */
  channels: number;
  /** Size of the encoded input in bytes. */
  sizeBytes: number;
  /** EXIF orientation 1-8, or `undefined` when the file has none. */
  orientation: number | undefined;
  /** Whether the image has an alpha (transparency) channel. */
  hasAlpha: boolean;
  /** Colour space interpretation, e.g. `srgb`, `b-w`, `cmyk`. */
  space: string;
  /** Number of pages/frames (animated GIF/WebP, multi-page TIFF); 1 for a still image. */
  pages: number;
}

/** An input that passed every header-level check. */
interface CheckedInput {
  buffer: Buffer;
  metadata: Metadata;
  limits: Required<SafeInputOptions>;
  label: string;
}

/**
 * Opens an untrusted image safely and returns a sharp pipeline ready for operations.
 *
 * Checks, in order and each before any pixel is decoded: the file exists, is not empty and is
 * not over `maxBytes` (with `stat`, before reading); it is not SVG/markup unless `allowSvg`;
 * its header is a readable image of an accepted format; `width x height` is within `maxPixels`;
 * it is complete (see {@link SafeInputOptions.verify}). The pipeline it returns fails on any
 * decoder warning (`failOn: 'warning'`) and auto-orients from EXIF unless `autoOrient: false`.
 *
 * @example
 * const image = await openImage('photos/cat.jpg');
 * const webp = await encode(image.resize(200), { format: 'webp' });
 * @throws {ImageInputError} `ERR_FILE_NOT_FOUND`, `ERR_EMPTY_INPUT`, `ERR_INPUT_TOO_LARGE`,
 * `ERR_SVG_NOT_ALLOWED`, `ERR_NOT_AN_IMAGE`, `ERR_IMAGE_TOO_LARGE`, `ERR_IMAGE_CORRUPT`.
 * @throws {InvalidOptionError} `ERR_INVALID_OPTION` for a bad option or input type.
 */
export async function openImage(
  input: string | Buffer,
  options: SafeInputOptions = {},
): Promise<Sharp> {
  const { buffer, metadata, limits, label } = await checkInput(input, options);
  if (needsFullDecode(limits.verify, buffer, metadata.format)) {
    await verifyDecodes(buffer, limits, label);
  }
  const image = sharp(buffer, {
    failOn: 'warning',
    limitInputPixels: limits.maxPixels,
    autoOrient: limits.autoOrient,
  });
  // A Sharp instance cannot tell whether it will auto-orient, so imageSize looks here first;
  // the input is kept to tell a corrupt input from a failed operation later (decode-check.ts).
  rememberOpened(image, {
    buffer,
    maxPixels: limits.maxPixels,
    label,
    size: limits.autoOrient ? displaySize(metadata) : storedSize(metadata),
  });
  return image;
}

/**
 * Reads format, size, channels and EXIF orientation from the header, without decoding pixels.
 * It runs the same input checks as {@link openImage} except the completeness check, so a
 * truncated file still reports its header here; `openImage` is what refuses it.
 *
 * @example
 * const info = await readImageInfo('Portrait_6.jpg');
 * // { format: 'jpeg', width: 1800, height: 1200, displayWidth: 1200, displayHeight: 1800, orientation: 6, ... }
 * @throws {ImageInputError} the same codes as {@link openImage} except `ERR_IMAGE_CORRUPT` for
 * data damaged after the header.
 */
export async function readImageInfo(
  input: string | Buffer,
  options: SafeInputOptions = {},
): Promise<ImageInfo> {
  const { buffer, metadata } = await checkInput(input, options);
  const orientation = metadata.orientation;
  const stored = storedSize(metadata);
  const displayed = displaySize(metadata);
  return {
    format: metadata.format,
    width: stored.width,
    height: stored.height,
    displayWidth: displayed.width,
    displayHeight: displayed.height,
    channels: metadata.channels,
    sizeBytes: buffer.length,
    orientation:
      orientation !== undefined && orientation >= 1 && orientation <= 8 ? orientation : undefined,
    hasAlpha: metadata.hasAlpha,
    space: metadata.space,
    pages: metadata.pages ?? 1,
  };
}

/**
 * The size an image will have when its pixels are decoded: for an image from `openImage`, the
 * size after EXIF orientation (if on); otherwise the size in its header. Operations queued on
 * the same pipeline (e.g. a resize) are not taken into account.
 */
export async function imageSize(image: Sharp): Promise<{ width: number; height: number }> {
  const known = openedInput(image)?.size;
  if (known) return { ...known };
  try {
    return storedSize(await image.metadata());
  } catch (error) {
    throw toImageError(error, 'reading the image size');
  }
}

async function checkInput(
  input: string | Buffer,
  options: SafeInputOptions,
): Promise<CheckedInput> {
  const limits = resolveLimits(options);
  const label = typeof input === 'string' ? `\`${path.basename(input)}\`` : 'the input buffer';
  const buffer = await readBytes(input, limits, label);
  if (!limits.allowSvg && looksLikeMarkup(buffer)) {
    throw svgRefused(label, 'it is SVG or other markup (text starting with `<`)');
  }
  let metadata: Metadata;
  try {
    // Our own pixel check below gives the better message, so sharp's limit is off here;
    // metadata() reads the header only, whatever the dimensions.
    metadata = await sharp(buffer, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw toImageError(error, `Reading the header of ${label}`);
  }
  if (metadata.format === 'svg' && !limits.allowSvg) {
    throw svgRefused(label, 'sharp reads it as SVG');
  }
  if (!ACCEPTED_INPUT_FORMATS.includes(metadata.format)) {
    throw new ImageInputError(
      ImageErrorCodes.NOT_AN_IMAGE,
      `${sentence(label)} is in format \`${metadata.format}\`, which this system does not accept; ` +
        `allowed: ${ACCEPTED_INPUT_FORMATS.join(', ')}`,
    );
  }
  const pixels = metadata.width * pageHeight(metadata);
  if (pixels > limits.maxPixels) {
    throw new ImageInputError(
      ImageErrorCodes.IMAGE_TOO_LARGE,
      `${sentence(label)} is ${metadata.width}x${pageHeight(metadata)} = ${pixels.toLocaleString('en')} pixels, ` +
        `over the limit of ${limits.maxPixels.toLocaleString('en')} (\`maxPixels\`). ` +
        'It was refused from its header, without decoding. Downscale it first, or raise `maxPixels` if you trust it.',
    );
  }
  return { buffer, metadata, limits, label };
}

function resolveLimits(options: SafeInputOptions): Required<SafeInputOptions> {
  if (options === null || typeof options !== 'object') {
    throw new InvalidOptionError(`Expected options to be an object, got ${describeValue(options)}`);
  }
  const limits = { ...DEFAULT_INPUT_LIMITS };
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (!(key in DEFAULT_INPUT_LIMITS)) {
      throw new InvalidOptionError(
        `Unknown option \`${key}\`; allowed: ${Object.keys(DEFAULT_INPUT_LIMITS).join(', ')}`,
      );
    }
    Object.assign(limits, { [key]: value });
  }
  checkInteger('maxPixels', limits.maxPixels, { min: 1 });
  checkInteger('maxBytes', limits.maxBytes, { min: 1 });
  checkBoolean('allowSvg', limits.allowSvg);
  checkBoolean('autoOrient', limits.autoOrient);
  checkChoice('verify', limits.verify, ['auto', 'always', 'never']);
  return limits;
}

async function readBytes(
  input: string | Buffer,
  limits: Required<SafeInputOptions>,
  label: string,
): Promise<Buffer> {
  if (Buffer.isBuffer(input)) {
    checkByteSize(input.length, limits, label);
    return input;
  }
  if (typeof input !== 'string' || input.length === 0) {
    throw new InvalidOptionError(
      `Expected the input to be a file path or a Buffer, got ${describeValue(input)}`,
    );
  }
  let size: number;
  try {
    const stats = await stat(input);
    if (!stats.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
    size = stats.size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') {
      throw new ImageInputError(
        ImageErrorCodes.FILE_NOT_FOUND,
        `Input file ${label} does not exist or is not a file (looked for ${path.resolve(input)})`,
        { cause: error },
      );
    }
    throw error;
  }
  // Checked before reading: a 10 GB file must not be pulled into memory to find out it is too big.
  checkByteSize(size, limits, label);
  const buffer = await readFile(input);
  checkByteSize(buffer.length, limits, label); // the file may have changed since stat
  return buffer;
}

function checkByteSize(size: number, limits: Required<SafeInputOptions>, label: string): void {
  if (size === 0) {
    throw new ImageInputError(
      ImageErrorCodes.EMPTY_INPUT,
      `${sentence(label)} is empty (0 bytes); an image file cannot be empty. Was the upload or copy interrupted?`,
    );
  }
  if (size > limits.maxBytes) {
    throw new ImageInputError(
      ImageErrorCodes.INPUT_TOO_LARGE,
      `${sentence(label)} is ${size.toLocaleString('en')} bytes, over the limit of ` +
        `${limits.maxBytes.toLocaleString('en')} bytes (\`maxBytes\`). Compress or downscale it first.`,
    );
  }
}

/**
 * No raster format starts with `<`, so any input that does (after a BOM and whitespace) is
 * markup: SVG, or HTML/XML named like an image. gzip data is refused too: the only gzip input
 * sharp reads is compressed SVG (`.svgz`).
 */
function looksLikeMarkup(buffer: Buffer): boolean {
  if (buffer[0] === 0x1f && buffer[1] === 0x8b) return true;
  const head = buffer
    .subarray(0, 1024)
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  return head.startsWith('<');
}

function svgRefused(label: string, why: string): ImageInputError {
  return new ImageInputError(
    ImageErrorCodes.SVG_NOT_ALLOWED,
    `${sentence(label)} was refused because ${why}. SVG can reference other files and URLs, so it is off ` +
      'by default; convert it to PNG first, or pass `allowSvg: true` for SVG you trust.',
  );
}

/** The height of one frame: sharp reads only the first page of an animated image. */
function pageHeight(metadata: Metadata): number {
  return metadata.pageHeight ?? metadata.height;
}

function storedSize(metadata: Metadata): { width: number; height: number } {
  return { width: metadata.width, height: pageHeight(metadata) };
}

/** EXIF orientations 5-8 include a quarter turn, so width and height swap on display. */
function displaySize(metadata: Metadata): { width: number; height: number } {
  const { width, height } = storedSize(metadata);
  const orientation = metadata.orientation ?? 1;
  return orientation >= 5 && orientation <= 8
    ? { width: height, height: width }
    : { width, height };
}

function needsFullDecode(verify: SafeInputOptions['verify'], buffer: Buffer, format: string) {
  if (verify === 'always') return true;
  if (verify === 'never') return false;
  return !hasCompleteEnding(buffer, format);
}

const PNG_IEND = Buffer.from('0000000049454e44ae426082', 'hex');

/**
 * A cheap completeness check that reads only the last bytes: a file cut short (an interrupted
 * upload or download, the most common damage) loses its end marker. `false` means "cannot tell
 * cheaply" as well as "damaged"; `openImage` then decodes once to find out.
 */
export function hasCompleteEnding(buffer: Buffer, format: string): boolean {
  switch (format) {
    case 'jpeg': {
      let end = buffer.length;
      while (end > 2 && buffer[end - 1] === 0x00) end--; // some encoders pad with zeros
      return buffer[end - 2] === 0xff && buffer[end - 1] === 0xd9;
    }
    case 'png':
      return buffer.subarray(-PNG_IEND.length).equals(PNG_IEND);
    case 'gif':
      return buffer[buffer.length - 1] === 0x3b;
    case 'webp':
      return buffer.length >= 12 && buffer.readUInt32LE(4) + 8 <= buffer.length;
    case 'svg':
      return true; // a text document: the XML parser already read all of it for the header
    default:
      return false; // TIFF and HEIF/AVIF have no end marker: only a decode can tell
  }
}

async function verifyDecodes(
  buffer: Buffer,
  limits: Required<SafeInputOptions>,
  label: string,
): Promise<void> {
  const failure = await decodeFailure(buffer, limits.maxPixels, label);
  if (failure) throw failure;
}

/** `the input buffer` → `The input buffer`, for the start of a message. */
function sentence(label: string): string {
  return label.charAt(0).toUpperCase() + label.slice(1);
}
