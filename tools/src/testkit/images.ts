import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

/** The course's fixture folder (`tools/fixtures`: real photos, EXIF samples, hostile inputs). */
export const FIXTURES_DIR = fileURLToPath(new URL('../../fixtures', import.meta.url));

/**
 * Absolute path of a fixture file.
 * @example fixture('photos/astronaut.png')
 */
export function fixture(relativePath: string): string {
  return path.join(FIXTURES_DIR, relativePath);
}

/** Absolute paths of all sample photos (PNG and JPEG), sorted by name. */
export function fixturePhotos(): string[] {
  const dir = fixture('photos');
  return readdirSync(dir)
    .filter((name) => /\.(png|jpe?g)$/i.test(name))
    .sort()
    .map((name) => path.join(dir, name));
}

/** Options of {@link makeImage}. */
export interface MakeImageOptions {
  /** @default 64 */
  width?: number;
  /** @default 64 */
  height?: number;
  /** @default 3 */
  channels?: 3 | 4;
  /**
   * `gradient` (deterministic, has edges in both directions), `noise` (seeded pseudo-random),
   * or a solid `{r,g,b}` colour.
   * @default 'gradient'
   */
  fill?: 'gradient' | 'noise' | { r: number; g: number; b: number };
  /** Seed for `noise`. @default 1 */
  seed?: number;
  /** Encoded output format. @default 'png' */
  format?: 'png' | 'jpeg' | 'webp' | 'raw';
}

/** Generates a test image with sharp; deterministic for the same options. */
export async function makeImage(options: MakeImageOptions = {}): Promise<Buffer> {
  const { width = 64, height = 64, channels = 3, fill = 'gradient', seed = 1 } = options;
  const format = options.format ?? 'png';
  const data = Buffer.alloc(width * height * channels);
  let state = seed >>> 0 || 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * channels;
      if (fill === 'gradient') {
        data[i] = Math.round((x / Math.max(1, width - 1)) * 255);
        data[i + 1] = Math.round((y / Math.max(1, height - 1)) * 255);
        data[i + 2] = ((x >> 3) + (y >> 3)) % 2 ? 200 : 40;
      } else if (fill === 'noise') {
        for (let c = 0; c < 3; c++) {
          state ^= state << 13;
          state ^= state >>> 17;
          state ^= state << 5;
          data[i + c] = (state >>> 0) & 255;
        }
      } else {
        data[i] = fill.r;
        data[i + 1] = fill.g;
        data[i + 2] = fill.b;
      }
      if (channels === 4) data[i + 3] = 255;
    }
  }
  if (format === 'raw') return data;
  return sharp(data, { raw: { width, height, channels } }).toFormat(format).toBuffer();
}

/** Decoded pixels of an image, as sharp gives them. */
export interface Pixels {
  data: Buffer;
  width: number;
  height: number;
  channels: number;
}

/** Decodes any image (path or buffer) to raw pixels. */
export async function pixels(input: string | Buffer): Promise<Pixels> {
  const { data, info } = await sharp(input).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

/** How far apart two images are, pixel by pixel. */
export interface ImageDifference {
  /** Mean absolute difference per channel value, 0-255. */
  meanAbsDiff: number;
  /** Largest absolute difference of any channel value. */
  maxDiff: number;
  /** Share of channel values that differ by more than 8 levels. */
  changedRatio: number;
}

/**
 * Compares two images of the same size and channel count on decoded pixels — never on
 * encoded bytes, which differ between encoders even for identical pictures.
 * @throws {Error} when the sizes or channel counts differ (the message shows both).
 */
export async function compareImages(
  a: string | Buffer | Pixels,
  b: string | Buffer | Pixels,
): Promise<ImageDifference> {
  const pa = isPixels(a) ? a : await pixels(a);
  const pb = isPixels(b) ? b : await pixels(b);
  if (pa.width !== pb.width || pa.height !== pb.height || pa.channels !== pb.channels) {
    throw new Error(
      `Images differ in shape: ${pa.width}x${pa.height}x${pa.channels} vs ` +
        `${pb.width}x${pb.height}x${pb.channels}`,
    );
  }
  let sum = 0;
  let max = 0;
  let changed = 0;
  for (let i = 0; i < pa.data.length; i++) {
    const d = Math.abs(pa.data[i]! - pb.data[i]!);
    sum += d;
    if (d > max) max = d;
    if (d > 8) changed++;
  }
  const n = pa.data.length || 1;
  return { meanAbsDiff: sum / n, maxDiff: max, changedRatio: changed / n };
}

function isPixels(value: unknown): value is Pixels {
  return typeof value === 'object' && value !== null && 'data' in value && 'channels' in value;
}

/** Per-channel mean and standard deviation (sharp's `stats()`), for checks on image content. */
export async function channelStats(input: string | Buffer) {
  const stats = await sharp(input).stats();
  return stats.channels.map((c) => ({ mean: c.mean, stdev: c.stdev, min: c.min, max: c.max }));
}
