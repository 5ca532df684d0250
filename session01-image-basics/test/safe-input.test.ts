import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fixture, makeImage, pixels } from '@workbook/tools/testkit';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_INPUT_LIMITS,
  decompressionBombPng,
  encode,
  forgedHeaderPng,
  forgeJpegSize,
  HARMLESS_SVG,
  hasCompleteEnding,
  hostileSamples,
  ImageErrorCodes,
  openImage,
  readImageInfo,
  type SafeInputOptions,
  SVG_WITH_EXTERNAL_REFERENCE,
  truncateBytes,
} from '../src/index.ts';
import { tempDir, writeTemp } from './temp.ts';

/** Runs `openImage` and returns the error it rejects with (fails the test if it resolves). */
async function refusal(input: string | Buffer, options?: SafeInputOptions) {
  try {
    await openImage(input, options);
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected openImage to refuse the input, but it opened it');
}

let dir: string;
beforeAll(() => {
  dir = tempDir();
});

describe('DEFAULT_INPUT_LIMITS', () => {
  it('documents the defaults and cannot be changed at run time', () => {
    expect(DEFAULT_INPUT_LIMITS).toEqual({
      maxPixels: 40_000_000,
      maxBytes: 50 * 1024 * 1024,
      allowSvg: false,
      autoOrient: true,
      verify: 'auto',
    });
    expect(Object.isFrozen(DEFAULT_INPUT_LIMITS)).toBe(true);
  });
});

describe('openImage accepts good input', () => {
  it('opens a PNG path and a JPEG buffer, ready for operations', async () => {
    const png = await pixels(
      await encode(await openImage(fixture('photos/chelsea.png')), { format: 'png' }),
    );
    expect([png.width, png.height]).toEqual([451, 300]);
    const jpeg = readFileSync(fixture('photos/rocket.jpg'));
    const resized = await encode((await openImage(jpeg)).resize(64), { format: 'png' });
    expect((await sharp(resized).metadata()).width).toBe(64);
  });

  it('accepts a harmless SVG when allowSvg is true and renders it', async () => {
    const image = await openImage(Buffer.from(HARMLESS_SVG), { allowSvg: true });
    const { data, width, height, channels } = await pixels(await encode(image, { format: 'png' }));
    expect([width, height]).toEqual([40, 30]);
    const centre = (15 * width + 20) * channels;
    expect([data[centre], data[centre + 1], data[centre + 2]]).toEqual([255, 0, 0]);
  });

  it('accepts a JPEG with data after its end marker (e.g. a motion photo) after one check decode', async () => {
    const jpeg = await makeImage({ width: 32, height: 32, format: 'jpeg' });
    const withTrailer = Buffer.concat([jpeg, Buffer.from('ftypmp42 … an appended video …')]);
    expect(hasCompleteEnding(withTrailer, 'jpeg'), 'the cheap check cannot tell').toBe(false);
    const png = await encode(await openImage(withTrailer), { format: 'png' });
    expect((await sharp(png).metadata()).width).toBe(32);
  });

  it('accepts an image exactly at the pixel limit', async () => {
    const image = await makeImage({ width: 50, height: 40 });
    await expect(openImage(image, { maxPixels: 2000 })).resolves.toBeDefined();
  });
});

describe('openImage refuses hostile input with a code', () => {
  it('missing file → ERR_FILE_NOT_FOUND, naming the path', async () => {
    const error = await refusal(path.join(dir, 'no-such-photo.jpg'));
    expect(error.code).toBe(ImageErrorCodes.FILE_NOT_FOUND);
    expect(error.message).toContain('no-such-photo.jpg');
  });

  it('a directory → ERR_FILE_NOT_FOUND', async () => {
    expect((await refusal(dir)).code).toBe(ImageErrorCodes.FILE_NOT_FOUND);
  });

  it('zero bytes (file and buffer) → ERR_EMPTY_INPUT', async () => {
    const empty = writeTemp(dir, 'empty.png', '');
    expect((await refusal(empty)).code).toBe(ImageErrorCodes.EMPTY_INPUT);
    expect((await refusal(Buffer.alloc(0))).code).toBe(ImageErrorCodes.EMPTY_INPUT);
  });

  it('over maxBytes → ERR_INPUT_TOO_LARGE, with the size and the limit', async () => {
    const error = await refusal(fixture('photos/rocket.jpg'), { maxBytes: 1000 });
    expect(error.code).toBe(ImageErrorCodes.INPUT_TOO_LARGE);
    expect(error.message).toMatch(/over the limit of 1,000 bytes/);
    const buffer = readFileSync(fixture('photos/rocket.jpg'));
    expect((await refusal(buffer, { maxBytes: 1000 })).code).toBe(ImageErrorCodes.INPUT_TOO_LARGE);
  });

  it('checks the byte size with stat before reading: a 3 GB sparse file is refused by size', async () => {
    // Reading 3 GB would fail differently (Node refuses buffers over 2 GB) or exhaust memory;
    // ERR_INPUT_TOO_LARGE proves the size was checked first.
    const huge = writeTemp(dir, 'huge.jpg', '');
    truncateSync(huge, 3 * 1024 ** 3);
    const error = await refusal(huge);
    expect(error.code).toBe(ImageErrorCodes.INPUT_TOO_LARGE);
  });

  it('text named .jpg → ERR_NOT_AN_IMAGE', async () => {
    const text = writeTemp(dir, 'notes.jpg', 'Shopping list: milk, eggs, bread.\n');
    const error = await refusal(text);
    expect(error.code).toBe(ImageErrorCodes.NOT_AN_IMAGE);
    expect(error.message).toContain('notes.jpg');
  });

  it('SVG with an external reference → ERR_SVG_NOT_ALLOWED by default', async () => {
    const svg = writeTemp(dir, 'innocent.png', SVG_WITH_EXTERNAL_REFERENCE);
    const error = await refusal(svg);
    expect(error.code).toBe(ImageErrorCodes.SVG_NOT_ALLOWED);
    expect(error.message).toContain('allowSvg');
  });

  it('SVG hidden behind a BOM and whitespace, HTML, and gzip-compressed SVG are refused too', async () => {
    const disguised = Buffer.from(`\uFEFF \n  ${HARMLESS_SVG}`);
    expect((await refusal(disguised)).code).toBe(ImageErrorCodes.SVG_NOT_ALLOWED);
    expect((await refusal(Buffer.from('<html><body>hi</body></html>'))).code).toBe(
      ImageErrorCodes.SVG_NOT_ALLOWED,
    );
    expect((await refusal(gzipSync(HARMLESS_SVG))).code).toBe(ImageErrorCodes.SVG_NOT_ALLOWED);
  });

  it('decompression bomb: a valid 20000x20000 PNG of ~50 KB → ERR_IMAGE_TOO_LARGE from its header', async () => {
    const bomb = decompressionBombPng(20_000);
    expect(bomb.length).toBeLessThan(100_000);
    // It is a genuine, well-formed PNG: sharp reads its header as 20000x20000.
    const header = await sharp(bomb, { limitInputPixels: false }).metadata();
    expect([header.width, header.height]).toEqual([20_000, 20_000]);
    const error = await refusal(writeTemp(dir, 'bomb.png', bomb));
    expect(error.code).toBe(ImageErrorCodes.IMAGE_TOO_LARGE);
    expect(error.message).toContain('20000x20000 = 400,000,000 pixels');
  });

  it('huge dimensions in a tiny forged header are refused without decoding', async () => {
    // The pixel data is garbage, so a decode would fail as ERR_IMAGE_CORRUPT: getting
    // ERR_IMAGE_TOO_LARGE proves the decision came from the header alone.
    const forged = forgedHeaderPng(100_000, 100_000);
    expect(forged.length).toBeLessThan(100);
    expect((await refusal(forged)).code).toBe(ImageErrorCodes.IMAGE_TOO_LARGE);
    const jpeg = forgeJpegSize(
      await makeImage({ width: 16, height: 16, format: 'jpeg' }),
      65_000,
      65_000,
    );
    expect((await refusal(jpeg)).code).toBe(ImageErrorCodes.IMAGE_TOO_LARGE);
  });

  it('respects a custom maxPixels', async () => {
    const image = await makeImage({ width: 50, height: 41 });
    const error = await refusal(image, { maxPixels: 2000 });
    expect(error.code).toBe(ImageErrorCodes.IMAGE_TOO_LARGE);
    expect(error.message).toContain('maxPixels');
  });

  it('the truncated fixture → ERR_IMAGE_CORRUPT', async () => {
    expect((await refusal(fixture('hostile/truncated.jpg'))).code).toBe(
      ImageErrorCodes.IMAGE_CORRUPT,
    );
  });

  it('truncated copies of a real JPEG and PNG → ERR_IMAGE_CORRUPT, not half a picture', async () => {
    for (const photo of ['photos/rocket.jpg', 'photos/chelsea.png']) {
      const cut = truncateBytes(readFileSync(fixture(photo)), 0.6);
      // The header survives the cut, so only the pixel data is missing.
      await expect(sharp(cut).metadata()).resolves.toBeDefined();
      const error = await refusal(cut);
      expect(error.code, photo).toBe(ImageErrorCodes.IMAGE_CORRUPT);
    }
  });

  it('damage in the middle of a complete-looking JPEG is refused when the pixels are decoded', async () => {
    const whole = await makeImage({ width: 128, height: 128, fill: 'noise', format: 'jpeg' });
    // A file that lost its middle but kept its end marker, so the cheap end check passes.
    const jpeg = Buffer.concat([whole.subarray(0, whole.length >> 1), whole.subarray(-2)]);
    expect(hasCompleteEnding(jpeg, 'jpeg')).toBe(true);
    const image = await openImage(jpeg);
    await expect(encode(image, { format: 'png' })).rejects.toMatchObject({
      code: ImageErrorCodes.IMAGE_CORRUPT,
    });
    // With verify: 'always' the same damage is found up front, by openImage itself.
    expect((await refusal(jpeg, { verify: 'always' })).code).toBe(ImageErrorCodes.IMAGE_CORRUPT);
  });

  it('rejects bad options with ERR_INVALID_OPTION naming the option', async () => {
    const png = await makeImage({ width: 8, height: 8 });
    const zero = await refusal(png, { maxPixels: 0 });
    expect(zero.code).toBe(ImageErrorCodes.INVALID_OPTION);
    expect(zero.message).toBe('Expected `maxPixels` to be an integer >= 1, got `0` (number)');
    const unknown = await refusal(png, { maxPixel: 5 } as SafeInputOptions);
    expect(unknown.code).toBe(ImageErrorCodes.INVALID_OPTION);
    expect(unknown.message).toContain('`maxPixel`');
    const verify = await refusal(png, { verify: 'sometimes' } as unknown as SafeInputOptions);
    expect(verify.message).toContain('`auto`, `always`, `never`');
  });
});

describe('hostileSamples', () => {
  it('each sample is refused with its expected code', async () => {
    const samples = await hostileSamples();
    expect(samples.length).toBeGreaterThanOrEqual(8);
    for (const sample of samples) {
      const error = await refusal(sample.data);
      expect(error.code, `${sample.name}: ${sample.description}`).toBe(sample.expectedCode);
      expect(error.name, sample.name).toBe('ImageInputError');
    }
  });
});

describe('hasCompleteEnding', () => {
  it('sees the end markers of complete files and their absence in cut ones', () => {
    const jpeg = readFileSync(fixture('photos/rocket.jpg'));
    const png = readFileSync(fixture('photos/chelsea.png'));
    expect(hasCompleteEnding(jpeg, 'jpeg')).toBe(true);
    expect(hasCompleteEnding(truncateBytes(jpeg), 'jpeg')).toBe(false);
    expect(hasCompleteEnding(png, 'png')).toBe(true);
    expect(hasCompleteEnding(truncateBytes(png), 'png')).toBe(false);
    expect(hasCompleteEnding(png, 'tiff')).toBe(false);
  });
});

describe('readImageInfo', () => {
  it('reports format, size, channels, alpha and byte size from the header', async () => {
    const rocket = await readImageInfo(fixture('photos/rocket.jpg'));
    expect(rocket).toMatchObject({
      format: 'jpeg',
      width: 640,
      height: 427,
      displayWidth: 640,
      displayHeight: 427,
      channels: 3,
      hasAlpha: false,
      pages: 1,
    });
    expect(rocket.sizeBytes).toBe(readFileSync(fixture('photos/rocket.jpg')).length);
    const camera = await readImageInfo(fixture('photos/camera.png'));
    expect([camera.format, camera.channels, camera.orientation]).toEqual(['png', 1, undefined]);
    const rgba = await readImageInfo(await makeImage({ width: 10, height: 6, channels: 4 }));
    expect([rgba.channels, rgba.hasAlpha, rgba.sizeBytes > 0]).toEqual([4, true, true]);
  });

  it('reports the EXIF orientation and the displayed size', async () => {
    const portrait = await readImageInfo(fixture('exif-orientation/Portrait_6.jpg'));
    expect(portrait).toMatchObject({ orientation: 6, width: 1800, height: 1200 });
    expect([portrait.displayWidth, portrait.displayHeight]).toEqual([1200, 1800]);
    const flipped = await readImageInfo(fixture('exif-orientation/Landscape_3.jpg'));
    expect([flipped.orientation, flipped.displayWidth, flipped.displayHeight]).toEqual([
      3, 1800, 1200,
    ]);
  });

  it('refuses hostile input with the same codes as openImage', async () => {
    const bomb = writeTemp(dir, 'info-bomb.png', forgedHeaderPng(30_000, 30_000));
    await expect(readImageInfo(bomb)).rejects.toMatchObject({
      code: ImageErrorCodes.IMAGE_TOO_LARGE,
    });
    await expect(readImageInfo(path.join(dir, 'missing.png'))).rejects.toMatchObject({
      code: ImageErrorCodes.FILE_NOT_FOUND,
    });
    const text = path.join(dir, 'text.png');
    writeFileSync(text, 'plain text');
    await expect(readImageInfo(text)).rejects.toMatchObject({ code: ImageErrorCodes.NOT_AN_IMAGE });
  });
});
