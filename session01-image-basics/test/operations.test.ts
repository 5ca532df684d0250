import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fixture, makeImage, pixels } from '@workbook/tools/testkit';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  cropImage,
  encode,
  type FitMode,
  flipImage,
  flopImage,
  formatFromExtension,
  grayscaleImage,
  ImageErrorCodes,
  imageSize,
  openImage,
  resizeImage,
  rotateImage,
  toImageError,
  toRaw,
  writeImage,
} from '../src/index.ts';
import { tempDir } from './temp.ts';

/** A 64x32 image: left half red, right half blue — easy to tell where each pixel came from. */
async function halves(): Promise<Buffer> {
  const width = 64;
  const height = 32;
  const data = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const left = i % width < width / 2;
    data[i * 3] = left ? 255 : 0;
    data[i * 3 + 2] = left ? 0 : 255;
  }
  return sharp(data, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

function pixelAt(image: { data: Buffer; width: number; channels: number }, x: number, y: number) {
  const i = (y * image.width + x) * image.channels;
  return [...image.data.subarray(i, i + Math.min(3, image.channels))];
}

let source: Buffer;
beforeAll(async () => {
  source = await halves();
});

describe('resizeImage', () => {
  const box = { width: 20, height: 20 };
  it.each<[FitMode, number, number]>([
    ['cover', 20, 20],
    ['contain', 20, 20],
    ['fill', 20, 20],
    ['inside', 20, 10],
    ['outside', 40, 20],
  ])('fit %s of 64x32 into 20x20 gives %ix%i', async (fit, width, height) => {
    const out = await toRaw(resizeImage(await openImage(source), { ...box, fit }));
    expect([out.width, out.height]).toEqual([width, height]);
  });

  it('contain pads with the background colour; cover crops instead', async () => {
    const contained = await toRaw(
      resizeImage(await openImage(source), { ...box, fit: 'contain', background: 'white' }),
    );
    expect(pixelAt(contained, 10, 0), 'top padding').toEqual([255, 255, 255]);
    const covered = await toRaw(resizeImage(await openImage(source), { ...box, fit: 'cover' }));
    expect(pixelAt(covered, 10, 0)).not.toEqual([255, 255, 255]);
  });

  it('does not enlarge by default, and does with allowUpscale', async () => {
    const kept = await toRaw(resizeImage(await openImage(source), { width: 640 }));
    expect([kept.width, kept.height]).toEqual([64, 32]);
    const enlarged = await toRaw(
      resizeImage(await openImage(source), { width: 640, allowUpscale: true }),
    );
    expect([enlarged.width, enlarged.height]).toEqual([640, 320]);
  });

  it('follows the aspect ratio when only one side is given', async () => {
    const out = await toRaw(resizeImage(await openImage(source), { height: 16 }));
    expect([out.width, out.height]).toEqual([32, 16]);
  });

  it('rejects a missing size, bad numbers and unknown modes with clear messages', async () => {
    const image = await openImage(source);
    expect(() => resizeImage(image, {})).toThrow(/`width` or `height`/);
    expect(() => resizeImage(image, { width: 0 })).toThrow(
      'Expected `width` to be an integer from 1 to 16384, got `0` (number)',
    );
    expect(() => resizeImage(image, { width: 10, fit: 'stretch' as FitMode })).toThrow(
      'Expected `fit` to be one of `cover`, `contain`, `fill`, `inside`, `outside`, got `stretch` (string)',
    );
    try {
      resizeImage(image, { width: 1.5 });
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: ImageErrorCodes.INVALID_OPTION });
    }
  });
});

describe('cropImage', () => {
  it('extracts the region asked for', async () => {
    const out = await toRaw(
      await cropImage(await openImage(source), { left: 28, top: 4, width: 8, height: 6 }),
    );
    expect([out.width, out.height]).toEqual([8, 6]);
    expect(pixelAt(out, 0, 0), 'left of the middle is red').toEqual([255, 0, 0]);
    expect(pixelAt(out, 7, 5), 'right of the middle is blue').toEqual([0, 0, 255]);
  });

  it('refuses a region outside the image, showing both sizes', async () => {
    const image = await openImage(source);
    await expect(
      cropImage(image, { left: 60, top: 0, width: 10, height: 10 }),
    ).rejects.toMatchObject({
      code: ImageErrorCodes.INVALID_OPTION,
      message: expect.stringContaining('fit inside the 64x32 image'),
    });
    await expect(cropImage(image, { left: -1, top: 0, width: 10, height: 10 })).rejects.toThrow(
      'Expected `left` to be an integer from 0 to 1000000, got `-1` (number)',
    );
  });

  it('checks bounds against the displayed (EXIF-oriented) size', async () => {
    const portrait = await openImage(fixture('exif-orientation/Portrait_6.jpg'));
    expect(await imageSize(portrait)).toEqual({ width: 1200, height: 1800 });
    await expect(
      cropImage(portrait, { left: 0, top: 1700, width: 100, height: 100 }),
    ).resolves.toBeDefined();
    await expect(
      cropImage(portrait, { left: 1150, top: 0, width: 100, height: 100 }),
    ).rejects.toMatchObject({ code: ImageErrorCodes.INVALID_OPTION });
  });
});

describe('rotate, flip, flop, grayscale', () => {
  it('rotates by 90 (sizes swap) and by 45 (the canvas grows, corners get the background)', async () => {
    const quarter = await toRaw(rotateImage(await openImage(source), 90));
    expect([quarter.width, quarter.height]).toEqual([32, 64]);
    expect(pixelAt(quarter, 16, 0), 'the red left half is now on top').toEqual([255, 0, 0]);
    const tilted = await toRaw(rotateImage(await openImage(source), 45, { background: 'white' }));
    expect(tilted.width).toBeGreaterThan(64);
    expect(pixelAt(tilted, 0, 0)).toEqual([255, 255, 255]);
    expect(() => rotateImage(sharp(source), Number.NaN)).toThrow(
      'Expected `angle` to be a number of degrees',
    );
  });

  it('flip mirrors top-bottom and flop left-right', async () => {
    const gradient = await makeImage({ width: 16, height: 16 });
    const original = await pixels(gradient);
    const flipped = await toRaw(flipImage(await openImage(gradient)));
    const flopped = await toRaw(flopImage(await openImage(gradient)));
    expect(pixelAt(flipped, 3, 0)).toEqual(pixelAt(original, 3, 15));
    expect(pixelAt(flopped, 0, 3)).toEqual(pixelAt(original, 15, 3));
  });

  it('grayscale leaves one value per pixel', async () => {
    const grey = await toRaw(grayscaleImage(await openImage(source)));
    expect(grey.channels).toBe(1);
    expect(new Set(grey.data).size, 'two halves, two grey levels').toBe(2);
  });
});

describe('encode and writeImage', () => {
  it.each(['jpeg', 'png', 'webp', 'avif'] as const)('encodes %s', async (format) => {
    const data = await encode(await openImage(await makeImage({ width: 16, height: 16 })), {
      format,
    });
    const metadata = await sharp(data).metadata();
    expect(metadata.format).toBe(format === 'avif' ? 'heif' : format);
    expect([metadata.width, metadata.height]).toEqual([16, 16]);
  });

  it('lower quality gives a smaller JPEG', async () => {
    const photo = readFileSync(fixture('photos/chelsea.png'));
    const high = await encode(await openImage(photo), { format: 'jpeg', quality: 95 });
    const low = await encode(await openImage(photo), { format: 'jpeg', quality: 30 });
    expect(low.length).toBeLessThan(high.length);
  });

  it('refuses other formats with ERR_UNSUPPORTED_FORMAT and bad quality with ERR_INVALID_OPTION', async () => {
    const image = await openImage(source);
    await expect(encode(image, { format: 'gif' as 'png' })).rejects.toMatchObject({
      code: ImageErrorCodes.UNSUPPORTED_FORMAT,
      message: 'Expected `format` to be one of `jpeg`, `png`, `webp`, `avif`, got `gif` (string)',
    });
    await expect(encode(image, { format: 'jpeg', quality: 0 })).rejects.toMatchObject({
      code: ImageErrorCodes.INVALID_OPTION,
      message: 'Expected `quality` to be an integer from 1 to 100, got `0` (number)',
    });
  });

  it('writeImage picks the format from the extension', async () => {
    const dir = tempDir();
    const written = await writeImage(await openImage(source), path.join(dir, 'out.webp'));
    expect(written).toMatchObject({ format: 'webp', width: 64, height: 32 });
    expect((await sharp(written.path).metadata()).format).toBe('webp');
    expect(formatFromExtension('a/b/photo.JPG')).toBe('jpeg');
    expect(() => formatFromExtension('photo.bmp')).toThrow(/extension of `photo.bmp`/);
  });
});

describe('toImageError', () => {
  it('maps sharp messages to codes and keeps the cause', () => {
    const cause = new Error('Input buffer contains unsupported image format');
    const error = toImageError(cause, 'reading x');
    expect(error.code).toBe(ImageErrorCodes.NOT_AN_IMAGE);
    expect(error.cause).toBe(cause);
    expect(toImageError(new Error('VipsJpeg: premature end of JPEG image')).code).toBe(
      ImageErrorCodes.IMAGE_CORRUPT,
    );
    expect(toImageError(new Error('extract_area: bad extract area')).code).toBe(
      ImageErrorCodes.INVALID_OPTION,
    );
    expect(toImageError(new Error('something new')).code).toBe(ImageErrorCodes.PROCESSING_FAILED);
  });
});
